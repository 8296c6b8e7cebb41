#include <gtest/gtest.h>

#include <new>

#include "core/common/boundary_probe.hpp"
#include "core/common/error.hpp"

namespace leadscore::core {
namespace {

TEST(BoundaryProbe, EachFailureThrowsItsKind) {
    EXPECT_EQ(run_boundary_probe(ProbeFailure::None, 25), 25);
    EXPECT_THROW(run_boundary_probe(ProbeFailure::CoreError, 25), Error);
    EXPECT_THROW(run_boundary_probe(ProbeFailure::OutOfMemory, 25), std::bad_alloc);
    EXPECT_THROW(run_boundary_probe(ProbeFailure::StdException, 25), std::runtime_error);
    EXPECT_THROW(run_boundary_probe(ProbeFailure::ForeignObject, 25), std::size_t);
}

TEST(BoundaryProbe, RejectsBadArguments) {
    EXPECT_THROW(run_boundary_probe(ProbeFailure::None, 0), Error);
    EXPECT_THROW(run_boundary_probe(ProbeFailure::None, kMaxProbeDepth + 1), Error);
    EXPECT_THROW(parse_probe_failure("segfault"), Error);
    EXPECT_EQ(parse_probe_failure("out_of_memory"), ProbeFailure::OutOfMemory);
}

}  // namespace
}  // namespace leadscore::core
