#ifndef BATCHWIRE_SRC_WEBHOOK_EVENT_JSON_HPP
#define BATCHWIRE_SRC_WEBHOOK_EVENT_JSON_HPP

// A webhook body (already verified) into a webhook_event, with JSON limits.

#include <batchwire/webhook_event.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace batchwire::detail {

// On failure: ec = webhook_error::malformed_body and `why` says what is wrong (never the
// body itself). The delivery fields (webhook_id, webhook_timestamp) are left to the caller.
webhook_event parse_webhook_event(std::string_view body, std::size_t max_depth, boost::system::error_code& ec,
                                  std::string& why);

} // namespace batchwire::detail

#endif
