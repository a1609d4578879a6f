SELECT
  "t0"."order_id",
  IF(_u.pos = _u_2.pos_2, _u_2."tag") AS "tag"
FROM "orders" AS "t0"
CROSS JOIN UNNEST(SEQUENCE(1, GREATEST(CARDINALITY("t0"."tags")))) AS _u(pos)
CROSS JOIN UNNEST("t0"."tags") WITH ORDINALITY AS _u_2("tag", pos_2)
WHERE
  _u.pos = _u_2.pos_2
  OR (
    _u.pos > CARDINALITY("t0"."tags") AND _u_2.pos_2 = CARDINALITY("t0"."tags")
  )
