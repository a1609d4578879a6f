SELECT
  "t2"."order_id",
  "t3"."name",
  "t3"."tier",
  "t2"."amount"
FROM "orders" AS "t2"
INNER JOIN "customers" AS "t3"
  ON "t2"."customer_id" = "t3"."customer_id"
