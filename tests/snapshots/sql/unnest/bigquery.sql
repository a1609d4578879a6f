SELECT
  `t0`.`order_id`,
  IF(pos = pos_2, `tag`, NULL) AS `tag`
FROM `orders` AS `t0`
CROSS JOIN UNNEST(GENERATE_ARRAY(0, GREATEST(ARRAY_LENGTH(`t0`.`tags`)) - 1)) AS pos
CROSS JOIN UNNEST(`t0`.`tags`) AS `tag` WITH OFFSET AS pos_2
WHERE
  pos = pos_2
  OR (
    pos > (
      ARRAY_LENGTH(`t0`.`tags`) - 1
    )
    AND pos_2 = (
      ARRAY_LENGTH(`t0`.`tags`) - 1
    )
  )
