#include "core/common/boundary_probe.hpp"

#include <new>
#include <string>
#include <vector>

#include "core/common/error.hpp"
#include "core/common/quote.hpp"

namespace leadscore::core {

namespace {

[[noreturn]] void fail(ProbeFailure failure, const std::vector<std::string>& frames) {
    switch (failure) {
        case ProbeFailure::CoreError:
            throw Error(sqlstate::kInvalidParameterValue,
                        "boundary probe failed on purpose after " + std::to_string(frames.size()) +
                            " core frames",
                        "This error is expected: it proves the C++/PostgreSQL boundary.");
        case ProbeFailure::OutOfMemory:
            throw std::bad_alloc();
        case ProbeFailure::StdException:
            throw std::runtime_error("boundary probe: std::runtime_error from core frame " +
                                     frames.back());
        case ProbeFailure::ForeignObject:
            throw frames.size();
        case ProbeFailure::None:
            break;
    }
    throw std::logic_error("boundary probe: fail() called without a failure");
}

int descend(ProbeFailure failure, int remaining, std::vector<std::string>& frames) {
    // Heap objects alive in every frame: their destructors must run on unwind.
    const std::string frame_name = "frame " + std::to_string(frames.size() + 1);
    std::vector<char> scratch(256, 'x');
    frames.push_back(frame_name);
    if (remaining > 1) {
        return descend(failure, remaining - 1, frames) + (scratch.empty() ? 0 : 1);
    }
    if (failure != ProbeFailure::None) {
        fail(failure, frames);
    }
    return 1;
}

}  // namespace

ProbeFailure parse_probe_failure(std::string_view name) {
    if (name == "none")
        return ProbeFailure::None;
    if (name == "core_error")
        return ProbeFailure::CoreError;
    if (name == "out_of_memory")
        return ProbeFailure::OutOfMemory;
    if (name == "std_exception")
        return ProbeFailure::StdException;
    if (name == "foreign_object")
        return ProbeFailure::ForeignObject;
    throw Error(sqlstate::kInvalidParameterValue,
                "unknown boundary probe failure " + quote_for_message(name),
                "Use none, core_error, out_of_memory, std_exception or foreign_object.");
}

int run_boundary_probe(ProbeFailure failure, int depth) {
    if (depth < 1 || depth > kMaxProbeDepth) {
        throw Error(sqlstate::kInvalidParameterValue,
                    "boundary probe depth " + std::to_string(depth) + " is out of range",
                    "Use a depth from 1 to " + std::to_string(kMaxProbeDepth) + ".");
    }
    std::vector<std::string> frames;
    return descend(failure, depth, frames);
}

}  // namespace leadscore::core
