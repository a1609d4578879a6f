SELECT
  "t0"."order_id",
  CAST(NULLIF(IFF(_u.pos = _u_2.pos_2, _u_2."tag", NULL), '') AS VARCHAR) AS "tag"
FROM "orders" AS "t0"
CROSS JOIN TABLE(FLATTEN(INPUT => ARRAY_GENERATE_RANGE(
  0,
  (
    GREATEST(
      ARRAY_SIZE(
        SPLIT(
          ARRAY_TO_STRING(NULLIF("t0"."tags", []), '<random>'),
          '<random>'
        )
      )
    ) - 1
  ) + 1
))) AS _u(seq, key, path, index, pos, this)
CROSS JOIN TABLE(FLATTEN(INPUT => SPLIT(
  ARRAY_TO_STRING(NULLIF("t0"."tags", []), '<random>'),
  '<random>'
))) AS _u_2(seq, key, path, pos_2, "tag", this)
WHERE
  _u.pos = _u_2.pos_2
  OR (
    _u.pos > (
      ARRAY_SIZE(
        SPLIT(
          ARRAY_TO_STRING(NULLIF("t0"."tags", []), '<random>'),
          '<random>'
        )
      ) - 1
    )
    AND _u_2.pos_2 = (
      ARRAY_SIZE(
        SPLIT(
          ARRAY_TO_STRING(NULLIF("t0"."tags", []), '<random>'),
          '<random>'
        )
      ) - 1
    )
  )
