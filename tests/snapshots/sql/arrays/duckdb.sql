SELECT
  "t0"."order_id",
  ARRAY_LENGTH("t0"."tags") AS "n_tags",
  LIST_EXTRACT("t0"."tags", 1) AS "first_tag",
  ARRAY_CONTAINS("t0"."tags", 'sale') AS "has_sale"
FROM "orders" AS "t0"
