// The list envelope shared by every page<T> (spec: ListBatchesResponse).

#include <batchwire/error.hpp>
#include <batchwire/page.hpp>

#include "json_fields.hpp"

#include <exception>
#include <new>
#include <string>
#include <utility>

namespace batchwire::detail {

void read_page_envelope(const boost::json::value& v, const boost::json::array*& data,
                        std::optional<std::string>& first_id, std::optional<std::string>& last_id,
                        bool& has_more)
{
    const object_reader r(v, "page");
    r.check_object_tag("list");
    data = &r.required_array("data");
    first_id = r.optional_string("first_id");
    last_id = r.optional_string("last_id");
    has_more = r.required_bool("has_more");
}

void write_page_envelope(boost::json::value& v, boost::json::array data,
                         const std::optional<std::string>& first_id,
                         const std::optional<std::string>& last_id, bool has_more)
{
    boost::json::object& o = v.emplace_object();
    o.reserve(5);
    o.emplace("object", "list");
    o.emplace("data", std::move(data));
    put_optional(o, "first_id", first_id);
    put_optional(o, "last_id", last_id);
    o.emplace("has_more", has_more);
}

std::string element_path(std::size_t index)
{
    return "page.data[" + std::to_string(index) + ']';
}

namespace {

// An element's message starts with its own root name ("batch.created_at: ..."); within a
// page that root is the element's path, so "batch" is replaced: "page.data[3].created_at: ...".
std::string within(const std::string& context, const std::string& message)
{
    const std::size_t root_end = message.find_first_of(".[:");
    const bool has_root = root_end != std::string::npos && root_end > 0 &&
                          message.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == root_end;
    if (has_root)
        return context + message.substr(root_end);
    return context + ": " + message;
}

} // namespace

void rethrow_with_context(const std::string& context)
{
    try {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const exception& e) {
        diagnostics diag = e.get_diagnostics();
        diag.message = within(context, diag.message);
        throw exception(e.code(), std::move(diag));
    } catch (const std::exception& e) {
        diagnostics diag;
        diag.message = within(context, e.what());
        throw exception(error::invalid_response, std::move(diag));
    }
}

} // namespace batchwire::detail
