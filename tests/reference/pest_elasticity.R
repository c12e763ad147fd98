# Reference values for tests/risk/calibration/pest_test.cpp (elasticity of pest occurrence to the
# fire-weather year factor): national forest fires 2004-2021 (sum of the 31 provinces, NBS via
# minatome/minatome forest_fire_by_province_2004_2021.csv), MASS::glm.nb with a log-linear trend
# (reference year 2021), residual ln(y / fitted); national pest occurrence area 2004-2014 (NBS,
# forest_pest_national_2004_2014.csv, pest_total_occurrence_area_10kha) detrended by least squares
# on the year; elasticity = slope of the pest residual on the fire residual.
# Run: Rscript tests/reference/pest_elasticity.R   (r-base-core 4.2.2, r-cran-mass 7.3-58.2)
suppressPackageStartupMessages(library(MASS))
year <- 2004:2021
fires <- c(13466, 11542, 8170, 9260, 14144, 8859, 7723, 5550, 3966, 3929, 3703, 2936, 2034, 3223,
           2478, 2345, 1153, 616)
m <- glm.nb(fires ~ I(year - 2021))
cat(sprintf("national fires: theta %.10g coef %.10g %.10g\n", m$theta, coef(m)[1], coef(m)[2]))
r <- log(fires / fitted(m))[1:11]
pest <- c(944.83724, 961.028133333, 1100.6671, 1209.68318533, 1141.83773333, 1141.971372, 1164.243,
          1168.1424, 1176.8988, 1223.0451927, 1206.44674232)
py <- 2004:2014
pr <- resid(lm(log(pest) ~ py))
fit <- summary(lm(pr ~ r))
cat(sprintf("elasticity %.10g se %.10g\n", fit$coefficients[2, 1], fit$coefficients[2, 2]))
