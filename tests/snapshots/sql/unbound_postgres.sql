SELECT
  "t0"."region",
  SUM("t0"."amount") AS "total"
FROM "sales" AS "t0"
GROUP BY
  1
