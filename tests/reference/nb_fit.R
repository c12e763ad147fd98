# Reference values for tests/risk/calibration/fire_test.cpp: negative binomial maximum likelihood
# by R's MASS (glm.nb, fitdistr), independent of Tanhui's QuantLib-based fit.
# Run: Rscript tests/reference/nb_fit.R   (Debian 12: r-base-core 4.2.2, r-cran-mass 7.3-58.2)
# The printed numbers are typed into the test as constants.
suppressPackageStartupMessages(library(MASS))
options(digits = 12)

show <- function(label, m) {
  s <- summary(m)
  cat(sprintf("%s: coef %s\n", label, paste(sprintf("%.10g", coef(m)), collapse = " ")))
  cat(sprintf("%s: se   %s\n", label, paste(sprintf("%.10g", s$coefficients[, 2]), collapse = " ")))
  cat(sprintf("%s: theta %.10g se %.10g loglik %.10g aic %.10g\n", label, m$theta, m$SE.theta,
              as.numeric(logLik(m)), AIC(m)))
}

# 1. A fixed small over-dispersed sample, no trend.
y1 <- c(3, 7, 1, 12, 5, 0, 9, 4, 15, 6, 2, 8)
f1 <- fitdistr(y1, "negative binomial")
cat(sprintf("stationary fitdistr: size %.10g mu %.10g se %.10g %.10g loglik %.10g\n",
            f1$estimate["size"], f1$estimate["mu"], f1$sd["size"], f1$sd["mu"], f1$loglik))
show("stationary glm.nb", glm.nb(y1 ~ 1))

# 2. A fixed small sample with a log-linear year trend, reference year 2020 (t = year - 2020).
year2 <- 2011:2020
y2 <- c(40, 70, 25, 38, 15, 34, 12, 29, 9, 18)
show("trend glm.nb", glm.nb(y2 ~ I(year2 - 2020)))

# 3. Fujian forest fires 2004-2021 (NBS via minatome/minatome, forest_fire_by_province_2004_2021.csv,
#    rows 福建 2004..2021, column fires_total), reference year 2021.
year3 <- 2004:2021
y3 <- c(1164, 309, 158, 237, 520, 579, 131, 407, 92, 132, 130, 114, 29, 52, 89, 26, 55, 44)
m3 <- glm.nb(y3 ~ I(year3 - 2021))
show("fujian trend glm.nb", m3)
x2 <- sum(residuals(m3, type = "pearson")^2)
cat(sprintf("fujian trend pearson X2 %.10g p %.10g\n", x2, pchisq(x2, 15, lower.tail = FALSE)))
p <- predict(m3, newdata = data.frame(year3 = 2027), se.fit = TRUE)
cat(sprintf("fujian trend 2027: log mean %.10g se %.10g count %.10g\n", p$fit, p$se.fit, exp(p$fit)))
show("fujian stationary glm.nb", glm.nb(y3 ~ 1))
