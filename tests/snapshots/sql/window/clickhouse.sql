SELECT
  "t0"."order_id" AS "order_id",
  "t0"."customer_id" AS "customer_id",
  "t0"."region" AS "region",
  "t0"."amount" AS "amount",
  "t0"."ordered_at" AS "ordered_at",
  "t0"."tags" AS "tags",
  ROW_NUMBER() OVER (
    PARTITION BY "t0"."region"
    ORDER BY "t0"."amount" DESC
    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
  ) - 1 AS "rank",
  SUM("t0"."amount") OVER (
    PARTITION BY "t0"."region"
    ORDER BY "t0"."amount" DESC
    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
  ) AS "running"
FROM "orders" AS "t0"
