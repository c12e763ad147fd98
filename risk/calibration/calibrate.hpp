// Calibration (DESIGN "Calibration", issue 4): maximum likelihood with QuantLib's optimisers and
// a FitReport per family. The api layer reads history from the store, calls these on plain
// columns, stores the reports with an id and builds the Model quotes use. docs/calibration.md
// gives each family's likelihood, standard errors, goodness-of-fit test and assumptions.
//
//   fire:  fit_counts, compare_trend, project_count, fit_burned_area, size_classes_from_nbs,
//          estimate_weather_dependence, fire_model_from          (calibration/fire.hpp)
//   pest:  fit_binomial, fit_beta_binomial, fit_annual_hazard, fit_affected_share,
//          estimate_pest_weather_elasticity, pest_weather_elasticity  (calibration/pest.hpp)
//   price: traded_log_prices, fit_gbm, fit_ou, fit_merton, fit_price, price_model
//                                                                     (calibrate_price.hpp)
//   severities: fit_lognormal, fit_gamma, fit_beta, fit_gpd           (calibrate_severity.hpp)
//   generic: maximise_log_likelihood, inverse_observed_information    (calibrate_mle.hpp)
#pragma once

#include "risk/calibration/fire.hpp"
#include "risk/calibration/mle.hpp"
#include "risk/calibration/pest.hpp"
#include "risk/calibration/price.hpp"
#include "risk/calibration/severity.hpp"
#include "risk/calibration/fit_report.hpp"
#include "risk/calibration/gof.hpp"
