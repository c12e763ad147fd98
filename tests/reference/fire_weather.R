# Reference values for tests/risk/calibration/fire_test.cpp (CalibrateFireWeather): correlation of
# the fire-weather year factor across provinces, from R's MASS::glm.nb with a log-linear trend
# (reference year 2021) per province; residual r_t = ln(y_t / fitted_t).
# Run: Rscript tests/reference/fire_weather.R   (Debian 12: r-base-core 4.2.2, r-cran-mass 7.3-58.2)
# Data: NBS 分省年度数据 "森林火灾" fires_total 2004-2021 (minatome/minatome,
# forest_fire_by_province_2004_2021.csv; rows 福建 35, 浙江 33, 江西 36, 广东 44).
suppressPackageStartupMessages(library(MASS))
year <- 2004:2021
fires <- list(
  "35" = c(1164, 309, 158, 237, 520, 579, 131, 407, 92, 132, 130, 114, 29, 52, 89, 26, 55, 44),
  "33" = c(1125, 718, 330, 272, 425, 247, 97, 433, 139, 206, 155, 67, 83, 70, 45, 30, 21, 21),
  "36" = c(1119, 355, 130, 326, 572, 394, 79, 151, 46, 82, 158, 40, 43, 67, 58, 60, 57, 50),
  "44" = c(469, 212, 128, 124, 165, 188, 59, 239, 65, 158, 128, 273, 64, 302, 266, 126, 114, 99))
res <- sapply(names(fires), function(r) {
  m <- glm.nb(fires[[r]] ~ I(year - 2021))
  cat(sprintf("%s: theta %.10g slope %.10g\n", r, m$theta, coef(m)[2]))
  log(fires[[r]] / fitted(m))
})
R <- cor(res)
for (i in 2:4) for (j in 1:(i - 1))
  cat(sprintf("cor %s %s %.10g\n", colnames(R)[i], colnames(R)[j], R[i, j]))
cat(sprintf("mean pair correlation %.10g; mean with 35 %.10g\n",
            mean(R[lower.tri(R)]), mean(R[2:4, 1])))
