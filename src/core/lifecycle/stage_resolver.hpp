// Reading a CRM's stage labels: the attachment's own label map first, then
// the labels and aliases of lifecycle_stage.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/stage/stage_labels.hpp"

namespace leadscore::core {

class StageResolver {
  public:
    // `labels`: CRM label -> stage. Matched like the type's labels: case,
    // surrounding blanks and the separators space, hyphen, underscore do not
    // matter. A label in the map wins over the type's own meaning of it.
    explicit StageResolver(const std::vector<std::pair<std::string, Stage>>& labels);

    // Allocates nothing (after the type's label index exists, which the
    // constructor makes sure of).
    LabelMatch resolve(std::string_view crm_label) const;

  private:
    std::vector<std::pair<std::string, Stage>> by_key_;  // sorted by matching key
};

}  // namespace leadscore::core
