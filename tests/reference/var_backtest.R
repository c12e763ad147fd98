# Reference values for tests/risk/backtest/statistics_test.cpp: Kupiec's (1995) proportion-of-failures
# LR and Christoffersen's (1998) independence LR on hand-worked exceedance sequences, computed
# here from their textbook formulas (independently of risk/backtest/statistics.cpp), Kupiec's 95 %
# non-rejection regions, and binom.test p-values for the coverage test.
# Run: Rscript tests/reference/var_backtest.R > tests/reference/var_backtest.out   (r-base-core 4.2.2)
xlogy <- function(x, y) ifelse(x == 0, 0, x * log(y))
kupiec <- function(x, n, p) {
  -2 * (xlogy(n - x, 1 - p) + xlogy(x, p) - xlogy(n - x, 1 - x / n) - xlogy(x, x / n))
}
christoffersen <- function(h) {
  a <- head(h, -1); b <- tail(h, -1)
  n00 <- sum(a == 0 & b == 0); n01 <- sum(a == 0 & b == 1)
  n10 <- sum(a == 1 & b == 0); n11 <- sum(a == 1 & b == 1)
  pi01 <- n01 / (n00 + n01); pi11 <- if (n10 + n11 > 0) n11 / (n10 + n11) else 0
  pi <- (n01 + n11) / (n00 + n01 + n10 + n11)
  -2 * (xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi) -
        xlogy(n00, 1 - pi01) - xlogy(n01, pi01) - xlogy(n10, 1 - pi11) - xlogy(n11, pi11))
}
seqs <- list(c(0,0,1,0,0,0,1,1,0,0), c(0,0,0,1,1,1,0,0,0,0), c(rep(0, 40), 1, rep(0, 30), 1, 1, rep(0, 27)))
for (i in seq_along(seqs)) {
  h <- seqs[[i]]
  for (p in c(0.01, 0.05, 0.1)) {
    lr <- kupiec(sum(h), length(h), p)
    cat(sprintf("seq %d p %.2f kupiec %.12g p_value %.12g\n", i, p, lr, pchisq(lr, 1, lower.tail = FALSE)))
  }
  lr <- christoffersen(h)
  cat(sprintf("seq %d christoffersen %.12g p_value %.12g\n", i, lr, pchisq(lr, 1, lower.tail = FALSE)))
}
for (p in c(0.01, 0.025, 0.05, 0.1)) for (n in c(255, 510, 1000)) {
  ok <- which(sapply(0:n, function(x) kupiec(x, n, p)) <= qchisq(0.95, 1)) - 1
  cat(sprintf("region p %.3f n %d accept %d..%d\n", p, n, min(ok), max(ok)))
}
for (a in list(c(7, 20, 0.5), c(3, 50, 0.1), c(60, 93, 0.5), c(90, 93, 0.9), c(75, 93, 0.9)))
  cat(sprintf("binom.test %d %d %.2f p %.12g\n", a[1], a[2], a[3], binom.test(a[1], a[2], a[3])$p.value))
