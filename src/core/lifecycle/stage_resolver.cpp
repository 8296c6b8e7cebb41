#include "core/lifecycle/stage_resolver.hpp"

#include <algorithm>

namespace leadscore::core {

StageResolver::StageResolver(const std::vector<std::pair<std::string, Stage>>& labels) {
    std::array<char, kMaxLabelLength> buffer;
    for (const auto& [crm_label, stage] : labels) {
        if (const auto key = label_matching_key(crm_label, buffer)) {
            by_key_.emplace_back(std::string(*key), stage);
        }
    }
    std::sort(by_key_.begin(), by_key_.end());
    match_stage_label("");  // builds the type's label index now, not in resolve()
}

LabelMatch StageResolver::resolve(std::string_view crm_label) const {
    std::array<char, kMaxLabelLength> buffer;
    if (const auto key = label_matching_key(crm_label, buffer)) {
        const auto found =
            std::lower_bound(by_key_.begin(), by_key_.end(), *key,
                             [](const std::pair<std::string, Stage>& entry,
                                std::string_view wanted) { return entry.first < wanted; });
        if (found != by_key_.end() && found->first == *key) {
            return {LabelMatch::Kind::Stage, found->second, nullptr};
        }
    }
    return match_stage_label(crm_label);
}

}  // namespace leadscore::core
