SELECT
  "t0"."order_id" AS "order_id",
  length("t0"."tags") AS "n_tags",
  "t0"."tags"[1] AS "first_tag",
  has("t0"."tags", 'sale') AS "has_sale"
FROM "orders" AS "t0"
