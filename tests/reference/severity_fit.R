# Reference values for tests/risk/calibration/severity_test.cpp: gamma and beta maximum likelihood
# by R's MASS::fitdistr, and the Kolmogorov-Smirnov statistic of each fit by ks.test.
# Run: Rscript tests/reference/severity_fit.R   (Debian 12: r-base-core 4.2.2, r-cran-mass 7.3-58.2)
suppressPackageStartupMessages(library(MASS))
x_gamma <- c(0.8, 2.3, 1.1, 4.7, 3.2, 0.4, 1.9, 2.8, 6.1, 1.5, 0.9, 3.7, 2.2, 1.3, 5.0)
g <- fitdistr(x_gamma, "gamma", control = list(reltol = 1e-14))
cat(sprintf("gamma: shape %.10g rate %.10g se %.10g %.10g loglik %.10g\n",
            g$estimate["shape"], g$estimate["rate"], g$sd["shape"], g$sd["rate"], g$loglik))
cat(sprintf("gamma: ks D %.10g\n", ks.test(x_gamma, "pgamma", g$estimate["shape"], g$estimate["rate"])$statistic))

x_beta <- c(0.12, 0.31, 0.05, 0.22, 0.18, 0.41, 0.09, 0.27, 0.15, 0.36, 0.08, 0.19)
# dbeta warns (NaN) while the optimiser probes negative shapes; the optimum is unaffected.
b <- suppressWarnings(fitdistr(x_beta, "beta", start = list(shape1 = 1, shape2 = 1),
                              control = list(reltol = 1e-14)))
cat(sprintf("beta: a %.10g b %.10g se %.10g %.10g loglik %.10g\n",
            b$estimate["shape1"], b$estimate["shape2"], b$sd["shape1"], b$sd["shape2"], b$loglik))
cat(sprintf("beta: ks D %.10g\n", ks.test(x_beta, "pbeta", b$estimate["shape1"], b$estimate["shape2"])$statistic))
