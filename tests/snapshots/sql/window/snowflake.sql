SELECT
  "t0"."order_id",
  "t0"."customer_id",
  "t0"."region",
  "t0"."amount",
  "t0"."ordered_at",
  "t0"."tags",
  ROW_NUMBER() OVER (PARTITION BY "t0"."region" ORDER BY "t0"."amount" DESC NULLS LAST) - 1 AS "rank",
  SUM("t0"."amount") OVER (
    PARTITION BY "t0"."region"
    ORDER BY "t0"."amount" DESC NULLS LAST
    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
  ) AS "running"
FROM "orders" AS "t0"
