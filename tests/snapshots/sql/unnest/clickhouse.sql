SELECT
  "t0"."order_id" AS "order_id",
  arrayJoin("t0"."tags") AS "tag"
FROM "orders" AS "t0"
