#include <batchwire/emulator/webhook_event_body.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace batchwire::emulator {

std::optional<std::string_view> batch_event_type(batchwire::batch_status s) noexcept
{
    using batchwire::batch_status;
    switch (s) {
    case batch_status::completed: return "batch.completed";
    case batch_status::failed: return "batch.failed";
    case batch_status::expired: return "batch.expired";
    case batch_status::cancelled: return "batch.cancelled";
    default: return std::nullopt;
    }
}

std::string batch_event_body(std::string_view event_id, std::string_view type, std::int64_t created_at,
                             std::string_view batch_id)
{
    namespace json = boost::json;
    json::object event;
    event["id"] = event_id;
    event["object"] = "event";
    event["type"] = type;
    event["created_at"] = created_at;
    event["data"] = json::object{{"id", batch_id}};
    return json::serialize(event);
}

} // namespace batchwire::emulator
