SELECT
  "t0"."order_id",
  ARRAY_SIZE("t0"."tags") AS "n_tags",
  GET("t0"."tags", 0) AS "first_tag",
  ARRAY_CONTAINS(TO_VARIANT('sale'), "t0"."tags") AS "has_sale"
FROM "orders" AS "t0"
