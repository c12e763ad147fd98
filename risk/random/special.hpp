// Special functions and distribution functions used by calibration and its goodness-of-fit
// tests. Pure functions of their arguments (thread-safe: no lgamma sign global).
#pragma once

namespace tanhui::risk {

double log_gamma(double x);                    // ln Gamma(x), x > 0
double log_beta(double a, double b);           // ln B(a, b)
double gamma_p(double a, double x);            // regularised lower incomplete gamma P(a, x)
double gamma_q(double a, double x);            // 1 - P(a, x), accurate in the upper tail
double beta_regularised(double x, double a, double b);  // I_x(a, b)

double normal_cdf(double x);
double normal_quantile(double p);
double normal_log_pdf(double x, double mean, double sd);
// Student's t with dof > 0 degrees of freedom (unit scale): cdf 1 - I_{dof/(dof+x^2)}(dof/2, 1/2) / 2
// for x >= 0 (symmetric), quantile by bisection on the cdf to 1e-12, log density.
double student_t_cdf(double x, double dof);
double student_t_quantile(double p, double dof);
double student_t_log_pdf(double x, double dof);

double chi_square_sf(double x, double df);     // P(X > x), X ~ chi2(df)
double poisson_log_pmf(double y, double mean);
double poisson_cdf(double y, double mean);     // P(Y <= y)
// Negative binomial with mean m and size k (variance m + m^2 / k).
double negative_binomial_log_pmf(double y, double mean, double size);
double negative_binomial_cdf(double y, double mean, double size);  // P(Y <= y)
double gamma_cdf(double x, double shape, double scale);
double beta_cdf(double x, double a, double b);
double lognormal_cdf(double x, double mu, double sigma);
// Generalised Pareto excess distribution: P(X <= x) = 1 - (1 + xi x / beta)^(-1/xi), x >= 0.
double gpd_cdf(double x, double xi, double beta);
double gpd_log_pdf(double x, double xi, double beta);  // -inf outside the support

// Kolmogorov distribution P(K <= x), K = sup|B(t)| of a Brownian bridge (Kolmogorov 1933):
// 1 - 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2), or its Jacobi-theta form for small x.
double kolmogorov_cdf(double x);
// Anderson-Darling A^2 for a fully specified continuous F ("case 0"): the asymptotic
// distribution, and its finite-n correction, after Marsaglia & Marsaglia (2004), "Evaluating the
// Anderson-Darling distribution", J. Stat. Software 9(2) (|error| < 2e-6).
double anderson_darling_asymptotic_cdf(double a2);
double anderson_darling_cdf(double a2, double n);

}  // namespace tanhui::risk
