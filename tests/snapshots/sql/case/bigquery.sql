SELECT
  `t0`.`order_id`,
  CASE
    WHEN `t0`.`amount` > 1000
    THEN 'large'
    WHEN `t0`.`amount` > 100
    THEN 'medium'
    ELSE 'small'
  END AS `size`
FROM `orders` AS `t0`
