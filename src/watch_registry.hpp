#ifndef BATCHWIRE_SRC_WATCH_REGISTRY_HPP
#define BATCHWIRE_SRC_WATCH_REGISTRY_HPP

// The shared polls of watch_until_terminal: one per watched batch id and client.
// (Filled in by watch.cpp.)

namespace batchwire::detail {

class watch_registry {
};

} // namespace batchwire::detail

#endif
