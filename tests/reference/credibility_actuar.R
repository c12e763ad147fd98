# Reference values for tests/pricing/credibility_test.cpp: Buhlmann-Straub with the unbiased
# estimators, computed by R's actuar (Debian r-cran-actuar) with actuar::cm.
#   apt-get install -y r-cran-actuar && Rscript tests/reference/credibility_actuar.R
# cm() on one level fits bstraub(method = "unbiased"), the default.
# Prints the values that the test types in; rerun and compare after an actuar upgrade.
suppressPackageStartupMessages(library(actuar))
show <- function(label, x) cat(sprintf("%-22s %s\n", label, paste(sprintf("%.15g", x), collapse = ", ")))

cat("actuar", as.character(packageVersion("actuar")), "\n\n")

# 1. Hachemeister (1975) bodily-injury data shipped with actuar: 5 states x 12 quarters.
data(hachemeister)
fit <- cm(~state, hachemeister, ratios = ratio.1:ratio.12, weights = weight.1:weight.12)
cat("hachemeister\n")
for (i in 1:5) {
  show(sprintf("ratios[%d]", i), unlist(hachemeister[i, sprintf("ratio.%d", 1:12)]))
  show(sprintf("weights[%d]", i), unlist(hachemeister[i, sprintf("weight.%d", 1:12)]))
}
show("collective_premium", fit$means$portfolio)
show("between_variance", fit$unbiased[[1]])
show("within_variance", fit$unbiased[[2]])
show("group_means", fit$means$state)
show("group_weights", fit$weights$state)
show("credibility_factors", fit$cred)
show("premiums", predict(fit))

# 2. Negative between-group estimate: three groups whose means nearly agree while the
#    periods within each group vary a lot. actuar sets every credibility factor to 0 and
#    the collective premium to the weight-weighted mean.
neg <- data.frame(group = 1:3,
                  r1 = c(1.0, 0.0, 2.5), r2 = c(3.0, 4.0, 1.5), r3 = c(2.0, 2.0, 2.2),
                  w1 = c(1.0, 2.0, 1.0), w2 = c(1.0, 2.0, 3.0), w3 = c(2.0, 1.0, 1.0))
fit2 <- cm(~group, neg, ratios = r1:r3, weights = w1:w3)
cat("\nnegative_between\n")
show("collective_premium", fit2$means$portfolio)
show("between_variance", fit2$unbiased[[1]])
show("within_variance", fit2$unbiased[[2]])
show("group_means", fit2$means$group)
show("credibility_factors", fit2$cred)
show("premiums", predict(fit2))
