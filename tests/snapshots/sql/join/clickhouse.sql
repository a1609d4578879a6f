SELECT
  "t2"."order_id" AS "order_id",
  "t3"."name" AS "name",
  "t3"."tier" AS "tier",
  "t2"."amount" AS "amount"
FROM "orders" AS "t2"
INNER JOIN "customers" AS "t3"
  ON "t2"."customer_id" = "t3"."customer_id"
