// Stopping long core work when the user cancels the statement.
//
// The core knows nothing of PostgreSQL, so it cannot look at PostgreSQL's
// interrupt flags, and it must not be longjmp'd out of. Instead, its long
// loops (reading a big scoring model, calendar or attach config) call
// stop_point(), which asks a hook the glue installs once (at module load)
// whether the statement should stop; the glue's hook only reads flags and
// never raises. When it says yes, stop_point() throws StopRequested, the C++
// frames unwind normally (destructors run), and the glue's guard, once every
// C++ frame is left, lets PostgreSQL raise its own error (a cancel, a
// statement_timeout, a terminated backend).
#pragma once

#include <exception>

namespace leadscore::core {

// "Should the work stop now?": cheap (it runs once per rule or holiday) and
// never throws.
using StopHook = bool (*)() noexcept;

// Installs the hook stop_point() asks; nullptr (the default) never stops.
void set_stop_hook(StopHook hook) noexcept;
StopHook stop_hook() noexcept;

// Thrown by stop_point(). Not a core::Error: it is not the user's input that
// is wrong, and code that handles core::Error (e.g. by reporting a bad value
// and going on) must let it pass.
class StopRequested : public std::exception {
  public:
    const char* what() const noexcept override {
        return "leadscore stopped: the statement was interrupted";
    }
};

// Throws StopRequested when the hook says the work should stop.
void stop_point();

}  // namespace leadscore::core
