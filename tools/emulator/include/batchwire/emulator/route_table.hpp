#ifndef BATCHWIRE_EMULATOR_ROUTE_TABLE_HPP
#define BATCHWIRE_EMULATOR_ROUTE_TABLE_HPP

// Maps a request's method and target to one of the emulated endpoints, with the path
// parameter percent-decoded and the pattern used for counting and fault rules.

#include <string>
#include <string_view>

namespace batchwire::emulator {

enum class route_id {
    create_file,        // POST /v1/files
    retrieve_file,      // GET  /v1/files/{id}
    download_file,      // GET  /v1/files/{id}/content
    create_batch,       // POST /v1/batches
    list_batches,       // GET  /v1/batches
    retrieve_batch,     // GET  /v1/batches/{id}
    cancel_batch,       // POST /v1/batches/{id}/cancel
    method_not_allowed, // a known path, another method (405)
    not_found,          // no such path (404)
    bad_target,         // the target is not a valid origin-form URL (400)
};

struct route_match {
    route_id id = route_id::not_found;
    std::string pattern; // "GET /v1/batches/{id}"; "GET (unknown)" for unknown paths
    std::string path_id; // the decoded {id}
    std::string query;   // the encoded query, without '?'
    std::string allow;   // the Allow header of a 405
};

route_match match_route(std::string_view method, std::string_view target);

} // namespace batchwire::emulator

#endif
