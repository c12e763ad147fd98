// A model with no calibration at all (version "test"), for the API tests whose products need none:
// price insurance with every price parameter given in the request, a loss table's layer.
#pragma once

#include "risk/model/model.hpp"

namespace tanhui::testing {

inline const risk::Model& empty_model() {
    static const risk::Model m = [] {
        risk::Model model;
        model.version = "test";
        return model;
    }();
    return m;
}

}  // namespace tanhui::testing
