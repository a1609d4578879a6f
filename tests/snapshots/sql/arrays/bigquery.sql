SELECT
  `t0`.`order_id`,
  ARRAY_LENGTH(`t0`.`tags`) AS `n_tags`,
  `t0`.`tags`[safe_offset(0)] AS `first_tag`,
  EXISTS(
    SELECT
      1
    FROM UNNEST(`t0`.`tags`) AS ibis_bq_arr_contains_<random>
    WHERE
      ibis_bq_arr_contains_<random> = 'sale'
  ) AS `has_sale`
FROM `orders` AS `t0`
