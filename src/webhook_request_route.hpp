#ifndef BATCHWIRE_SRC_WEBHOOK_REQUEST_ROUTE_HPP
#define BATCHWIRE_SRC_WEBHOOK_REQUEST_ROUTE_HPP

// What the listener does with a request once its head is read, before any body byte:
// read it and verify (status 0), or answer at once with an error status.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::detail {

struct route_decision {
    unsigned status = 0;   // 0: read the body and verify; else answer this status
    std::string message;   // for an error status: why
};

// `target` is the request target (its query is ignored); `content_length` when declared.
route_decision route_webhook_request(std::string_view method, std::string_view target, std::string_view path,
                                     std::optional<std::uint64_t> content_length, std::uint64_t max_body);

} // namespace batchwire::detail

#endif
