SELECT
  *
FROM (
  SELECT
    *
  FROM "orders" AS "t0"
  UNION ALL
  SELECT
    *
  FROM "returns" AS "t1"
) AS "t2"
EXCEPT
SELECT
  *
FROM (
  SELECT
    *
  FROM "returns" AS "t1"
  WHERE
    "t1"."amount" < 0
) AS "t3"
