SELECT
  *
FROM (
  SELECT
    "t0"."region",
    SUM("t0"."amount") AS "total",
    COUNT(*) AS "n"
  FROM "orders" AS "t0"
  GROUP BY
    1
) AS "t1"
WHERE
  "t1"."n" > 10
ORDER BY
  "t1"."total" DESC
