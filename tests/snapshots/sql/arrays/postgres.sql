SELECT
  "t0"."order_id",
  CARDINALITY("t0"."tags") AS "n_tags",
  (
    "t0"."tags"
  )[CASE WHEN 0 < 0 THEN CARDINALITY("t0"."tags") + (
    0 + 1
  ) ELSE 0 + 1 END] AS "first_tag",
  CAST("t0"."tags" AS VARCHAR[]) @> ARRAY[CAST('sale' AS VARCHAR)] AS "has_sale"
FROM "orders" AS "t0"
