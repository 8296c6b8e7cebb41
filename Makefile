# leadscore: PostgreSQL extension in C++ (PGXS build).
#
#   make demo   throwaway cluster, extension installed, sample CRM worked through
#   make test   unit tests, pg_regress and isolation tests in a throwaway cluster
#   make test-all  the same on PostgreSQL 15, 17 and 18 (Debian roots), and the
#               Debian package installed into a clean root (installcheck)
#   make bench  benchmarks against plain SQL, PL/pgSQL, ENUM and text (bench/run.sh)
#   make fuzz   libFuzzer targets of the core, with sanitizers (tests/fuzz/run.sh)
#
# The plain PGXS targets (all, install, installcheck) work as usual.

EXTENSION_VERSION = 0.7
PG_CONFIG ?= pg_config

MODULE_big = leadscore
CORE_SRCS = $(sort $(wildcard src/core/*.cpp))
GLUE_SRCS = $(sort $(wildcard src/pg/*.cpp))
CORE_OBJS = $(CORE_SRCS:.cpp=.o)
OBJS = $(CORE_OBJS) $(GLUE_SRCS:.cpp=.o)

MODULEDIR = extension
DATA = control/leadscore.control $(sort $(wildcard control/leadscore--*.sql))

REGRESS = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=leadscore --encoding=UTF8
ISOLATION = $(basename $(notdir $(sort $(wildcard specs/*.spec))))
ISOLATION_OPTS = --load-extension=leadscore --encoding=UTF8

# -isystem makes the compiler treat PostgreSQL's headers as system headers, so
# -Wall -Wextra speak only about our own code.
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)
# -MMD -MP: each object records the headers it includes (in a .d file read
# below), so that changing a header rebuilds every object that uses it.
PG_CXXFLAGS = -std=c++17 -Wextra -MMD -MP
ifeq ($(WERROR),1)
PG_CXXFLAGS += -Werror
endif
SHLIB_LINK = -lstdc++

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The pure core is compiled without PostgreSQL's include path: a PostgreSQL
# header included anywhere under src/core/ is a compile error.
CORE_CPPFLAGS = -I$(srcdir)/src -D_GNU_SOURCE
$(CORE_OBJS) $(CORE_OBJS:.o=.bc): override CPPFLAGS := $(CORE_CPPFLAGS)

EXTRA_CLEAN += $(OBJS:.o=.d)
-include $(OBJS:.o=.d)
# The bitcode (for JIT inlining) is compiled without the header tracking:
# rebuilding it whenever its object is rebuilt keeps it as fresh.
$(OBJS:.o=.bc): %.bc: %.o

# clang's default dialect is older than ours.
BITCODE_CXXFLAGS += -std=c++17

.PHONY: test test-all demo bench unit fuzz format check-format regresscheck isolationcheck

# installcheck's two halves, so that a failing pg_regress run does not keep
# the isolation tests from running (scripts/run-tests.sh runs both).
regresscheck:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

isolationcheck:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)

test:
	@scripts/run-tests.sh

test-all:
	@scripts/test-all.sh

demo:
	@scripts/run-demo.sh

bench:
	@bench/run.sh

unit:
	@scripts/run-unit-tests.sh

fuzz:
	@tests/fuzz/run.sh

format:
	clang-format -i $(CORE_SRCS) $(GLUE_SRCS) src/*/*.hpp tests/unit/*.cpp tests/unit/*.hpp tests/fuzz/*.cpp

check-format:
	clang-format --dry-run --Werror $(CORE_SRCS) $(GLUE_SRCS) src/*/*.hpp tests/unit/*.cpp tests/unit/*.hpp tests/fuzz/*.cpp
