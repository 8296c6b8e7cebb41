#include "core/common/stop_check.hpp"

namespace leadscore::core {

namespace {

StopHook installed_hook = nullptr;

}  // namespace

void set_stop_hook(StopHook hook) noexcept {
    installed_hook = hook;
}

StopHook stop_hook() noexcept {
    return installed_hook;
}

void stop_point() {
    if (installed_hook != nullptr && installed_hook()) {
        throw StopRequested();
    }
}

}  // namespace leadscore::core
