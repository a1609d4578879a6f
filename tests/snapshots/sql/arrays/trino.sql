SELECT
  "t0"."order_id",
  CARDINALITY("t0"."tags") AS "n_tags",
  ELEMENT_AT("t0"."tags", 0 + 1) AS "first_tag",
  IF("t0"."tags" IS NOT NULL, COALESCE(CONTAINS("t0"."tags", 'sale'), FALSE), NULL) AS "has_sale"
FROM "orders" AS "t0"
