#include "risk/calibration/mle.hpp"

#include "data/types.hpp"
#include "risk/simulation/cancel.hpp"

#include <ql/math/array.hpp>
#include <ql/math/matrix.hpp>
#include <ql/math/optimization/constraint.hpp>
#include <ql/math/optimization/costfunction.hpp>
#include <ql/math/optimization/endcriteria.hpp>
#include <ql/math/optimization/problem.hpp>
#include <ql/math/optimization/simplex.hpp>

#include <cmath>
#include <limits>

namespace tanhui::risk {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double penalty = 1e100;  // cost outside the model: large but finite for the Simplex

double to_natural(double phi, Support s) {
    switch (s) {
        case Support::positive: return std::exp(phi);
        case Support::unit_interval: return 1 / (1 + std::exp(-phi));
        case Support::real: break;
    }
    return phi;
}

double to_transformed(double theta, Support s, const std::string& name) {
    switch (s) {
        case Support::positive:
            if (!(theta > 0)) throw InvalidInput(name, "start must be > 0, got " + std::to_string(theta));
            return std::log(theta);
        case Support::unit_interval:
            if (!(theta > 0 && theta < 1))
                throw InvalidInput(name, "start must lie in (0, 1), got " + std::to_string(theta));
            return std::log(theta / (1 - theta));
        case Support::real:
            if (!std::isfinite(theta)) throw InvalidInput(name, "start must be finite, got " + std::to_string(theta));
            break;
    }
    return theta;
}

// d theta / d phi
double jacobian(double theta, Support s) {
    switch (s) {
        case Support::positive: return theta;
        case Support::unit_interval: return theta * (1 - theta);
        case Support::real: break;
    }
    return 1;
}

class TransformedLikelihood {
public:
    TransformedLikelihood(std::span<const MleParameter> p, const LogLikelihood& ll) : p_(p), ll_(ll), theta_(p.size()) {}
    // Log-likelihood at transformed parameters; NaN and +-inf become -inf. Throws Cancelled when
    // the thread's request was cancelled (CancelScope): a fit stops within one evaluation.
    double operator()(std::span<const double> phi) const {
        stop_if_cancelled(CancelScope::current());
        for (std::size_t i = 0; i < p_.size(); ++i) theta_[i] = to_natural(phi[i], p_[i].support);
        const double v = ll_(theta_);
        return std::isfinite(v) ? v : -std::numeric_limits<double>::infinity();
    }

private:
    std::span<const MleParameter> p_;
    const LogLikelihood& ll_;
    mutable std::vector<double> theta_;
};

class NegativeLogLikelihood : public QuantLib::CostFunction {
public:
    explicit NegativeLogLikelihood(const TransformedLikelihood& f) : f_(f) {}
    QuantLib::Real value(const QuantLib::Array& x) const override {
        const double v = f_(std::span<const double>(x.begin(), x.size()));
        return std::isfinite(v) ? -v : penalty;
    }
    QuantLib::Array values(const QuantLib::Array& x) const override { return QuantLib::Array(1, value(x)); }

private:
    const TransformedLikelihood& f_;
};

// phi of an estimate; -inf or +inf at the ends of its support (a Simplex that ran to the bound
// until exp or the logistic rounded to it).
double transformed_or_end(double theta, Support s, const std::string& name) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (s == Support::positive && theta == 0) return -inf;
    if (s == Support::unit_interval && (theta == 0 || theta == 1)) return theta == 0 ? -inf : inf;
    return to_transformed(theta, s, name);
}

bool at_support_end(double theta, Support s) {
    return (s == Support::positive && theta == 0) || (s == Support::unit_interval && (theta == 0 || theta == 1));
}

// parameters_at_bound on the optimiser's scale.
std::vector<std::string> bounds_at(std::span<const MleParameter> parameters, const TransformedLikelihood& f,
                                   const std::vector<double>& phi) {
    constexpr double flat = 1e-6;  // log-likelihood lost by the move towards a bound
    constexpr double toward = 2;   // the move on the transformed scale
    std::vector<std::string> out;
    const double f0 = f(phi);
    if (!std::isfinite(f0)) return out;
    auto at = [&](std::size_t i, double d) {
        std::vector<double> x = phi;
        x[i] += d;
        return f(x);
    };
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const MleParameter& p = parameters[i];
        const std::string upper = p.support == Support::positive ? " at infinity" : " at 1";
        if (!std::isfinite(phi[i])) {  // the estimate is the bound itself
            out.push_back(p.name + (phi[i] < 0 ? " at 0" : upper));
            continue;
        }
        const double h = 1e-4 * std::max(1.0, std::abs(phi[i]));  // the Hessian's step
        if (!std::isfinite(at(i, h)) || !std::isfinite(at(i, -h))) {
            out.push_back(p.name + " at the edge of the searched region");
            continue;
        }
        if (p.support == Support::real) continue;
        // The nearer end first: far out on the transformed scale both sides can look flat.
        const bool low_first = phi[i] < 0;
        for (const bool low : {low_first, !low_first})
            if (at(i, low ? -toward : toward) >= f0 - flat) {
                out.push_back(p.name + (low ? " at 0" : upper));
                break;
            }
    }
    return out;
}

std::vector<double> natural(std::span<const MleParameter> p, std::span<const double> phi) {
    std::vector<double> theta(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) theta[i] = to_natural(phi[i], p[i].support);
    return theta;
}

}  // namespace

std::vector<std::vector<double>> inverse_observed_information(std::span<const MleParameter> parameters,
                                                              const LogLikelihood& log_likelihood,
                                                              std::span<const double> estimates,
                                                              bool& positive_definite) {
    const std::size_t n = parameters.size();
    std::vector<std::vector<double>> cov(n, std::vector<double>(n, nan));
    positive_definite = false;
    if (estimates.size() != n) throw InvalidInput("estimates", "length differs from the parameters");
    for (std::size_t i = 0; i < n; ++i)
        if (at_support_end(estimates[i], parameters[i].support)) return cov;  // no curvature at the bound itself
    const TransformedLikelihood f(parameters, log_likelihood);
    std::vector<double> phi(n), h(n);
    for (std::size_t i = 0; i < n; ++i) {
        phi[i] = to_transformed(estimates[i], parameters[i].support, parameters[i].name);
        h[i] = 1e-4 * std::max(1.0, std::abs(phi[i]));
    }
    const double f0 = f(phi);
    if (!std::isfinite(f0)) return cov;
    auto at = [&](std::size_t i, double di, std::size_t j, double dj) {
        std::vector<double> x = phi;
        x[i] += di;
        x[j] += dj;
        return f(x);
    };
    QuantLib::Matrix info(n, n);
    for (std::size_t i = 0; i < n; ++i) {
        const double d2 = (at(i, h[i], i, 0) - 2 * f0 + at(i, -h[i], i, 0)) / (h[i] * h[i]);
        info[i][i] = -d2;
        for (std::size_t j = 0; j < i; ++j) {
            const double d =
                (at(i, h[i], j, h[j]) - at(i, h[i], j, -h[j]) - at(i, -h[i], j, h[j]) + at(i, -h[i], j, -h[j])) /
                (4 * h[i] * h[j]);
            info[i][j] = info[j][i] = -d;
        }
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (!std::isfinite(info[i][j])) return cov;
    // Positive definite iff a Cholesky factorisation exists.
    {
        QuantLib::Matrix l(n, n, 0.0);
        for (std::size_t j = 0; j < n; ++j) {
            double s = info[j][j];
            for (std::size_t k = 0; k < j; ++k) s -= l[j][k] * l[j][k];
            if (!(s > 0)) return cov;
            l[j][j] = std::sqrt(s);
            for (std::size_t i = j + 1; i < n; ++i) {
                double t = info[i][j];
                for (std::size_t k = 0; k < j; ++k) t -= l[i][k] * l[j][k];
                l[i][j] = t / l[j][j];
            }
        }
    }
    const QuantLib::Matrix inv = QuantLib::inverse(info);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            cov[i][j] = jacobian(estimates[i], parameters[i].support) * inv[i][j] *
                        jacobian(estimates[j], parameters[j].support);
    positive_definite = true;
    return cov;
}

MleResult maximise_log_likelihood(std::span<const MleParameter> parameters, const LogLikelihood& log_likelihood,
                                  const MleOptions& options) {
    const std::size_t n = parameters.size();
    if (n == 0) throw InvalidInput("parameters", "needs at least one parameter");
    QuantLib::Array x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = to_transformed(parameters[i].start, parameters[i].support, parameters[i].name);

    const TransformedLikelihood f(parameters, log_likelihood);
    NegativeLogLikelihood cost(f);
    QuantLib::NoConstraint constraint;
    const QuantLib::EndCriteria end(options.max_iterations, 100, options.root_epsilon,
                                    1e-16, 1e-16);
    MleResult r;
    r.optimiser = "quantlib_simplex";
    if (!(cost.value(x) < penalty)) {
        throw InvalidInput(parameters[0].name, "log-likelihood is not finite at the starting values");
    }
    double best = cost.value(x);
    bool converged = false;
    for (int run = 0; run <= options.max_restarts; ++run) {
        double step = 0;
        for (const auto& p : parameters) step = std::max(step, p.step);
        QuantLib::Simplex simplex(run == 0 ? step : step / 4);
        QuantLib::Problem problem(cost, constraint, x);
        const auto why = simplex.minimize(problem, end);
        const double value = problem.functionValue();
        const bool improved = value < best - 1e-10 * (1 + std::abs(best));
        if (value <= best) {
            x = problem.currentValue();
            best = value;
        }
        if (why != QuantLib::EndCriteria::MaxIterations && !improved && run > 0) {
            converged = true;
            break;
        }
    }
    r.names.reserve(n);
    for (const auto& p : parameters) r.names.push_back(p.name);
    r.estimates = natural(parameters, std::span<const double>(x.begin(), n));
    r.log_likelihood = -best;
    r.converged = converged;
    r.covariance = inverse_observed_information(parameters, log_likelihood, r.estimates,
                                                r.information_positive_definite);
    r.standard_errors.resize(n);
    for (std::size_t i = 0; i < n; ++i) r.standard_errors[i] = std::sqrt(r.covariance[i][i]);
    r.at_bound = bounds_at(parameters, f, std::vector<double>(x.begin(), x.end()));
    return r;
}

std::vector<std::string> parameters_at_bound(std::span<const MleParameter> parameters, const LogLikelihood& log_likelihood,
                                             std::span<const double> estimates) {
    if (estimates.size() != parameters.size()) throw InvalidInput("estimates", "length differs from the parameters");
    std::vector<double> phi(parameters.size());
    for (std::size_t i = 0; i < parameters.size(); ++i)
        phi[i] = transformed_or_end(estimates[i], parameters[i].support, parameters[i].name);
    return bounds_at(parameters, TransformedLikelihood(parameters, log_likelihood), phi);
}

FitReport report_from(std::string family, const MleResult& result, std::size_t rows) {
    FitReport rep;
    rep.family = std::move(family);
    rep.parameter_names = result.names;
    rep.estimates = result.estimates;
    rep.standard_errors = result.standard_errors;
    rep.covariance = result.covariance;
    rep.log_likelihood = result.log_likelihood;
    rep.rows = rows;
    rep.optimiser = result.optimiser;
    rep.converged = result.converged;
    rep.at_bound = result.at_bound;
    if (!result.information_positive_definite)
        rep.notes.emplace_back("observed information not positive definite at the optimum: standard errors NaN");
    set_information_criteria(rep);
    return rep;
}

}  // namespace tanhui::risk
