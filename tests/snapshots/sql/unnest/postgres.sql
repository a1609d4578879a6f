SELECT
  "t0"."order_id",
  UNNEST("t0"."tags") AS "tag"
FROM "orders" AS "t0"
