#ifndef BATCHWIRE_WEBHOOK_EVENT_HPP
#define BATCHWIRE_WEBHOOK_EVENT_HPP

// A verified webhook event. The four batch events carry only the batch's id: the event is
// a hint, the batch as retrieved is the truth. Types this version does not know (the API
// adds some) are kept, with their whole payload.

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace batchwire {

enum class webhook_event_type : std::uint8_t {
    batch_completed, // "batch.completed"
    batch_cancelled, // "batch.cancelled"
    batch_expired,   // "batch.expired"
    batch_failed,    // "batch.failed"
    unknown,         // any other type: see webhook_event::type_name and ::payload
};

// "batch.completed", ...; "unknown" for unknown.
std::string_view to_string(webhook_event_type t) noexcept;
// The type for a wire name; unknown for any name not listed above.
webhook_event_type webhook_event_type_from(std::string_view name) noexcept;

struct webhook_event {
    std::string id;                // the event's id, "evt_..."
    webhook_event_type type = webhook_event_type::unknown;
    std::string type_name;         // as sent: "batch.completed", or the unknown type's name
    std::int64_t created_at = 0;   // unix seconds
    std::string batch_id;          // data.id: always set for the four batch types; for unknown
                                   // types, when the payload has a string data.id
    boost::json::object payload;   // the whole event as received
    // The delivery that carried it (the same event may be delivered more than once).
    std::string webhook_id;        // the webhook-id header
    std::int64_t webhook_timestamp = 0; // the webhook-timestamp header, unix seconds

    bool is_batch_event() const noexcept { return type != webhook_event_type::unknown; }
};

} // namespace batchwire

#endif
