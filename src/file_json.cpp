// File object <-> JSON (the API reference's OpenAIFile).

#include <batchwire/file.hpp>

#include "json_fields.hpp"

#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>

namespace batchwire {

file_object tag_invoke(boost::json::value_to_tag<file_object>, const boost::json::value& v)
{
    const detail::object_reader r(v, "file");
    r.check_object_tag("file");

    file_object f;
    f.id = r.required_string("id");
    f.bytes = r.required_int64("bytes");
    f.created_at = r.required_int64("created_at");
    f.filename = r.required_string("filename");
    f.purpose = r.required_string("purpose");
    // The spec lists `status` as required but deprecates it, and its own file examples
    // omit it: read it leniently.
    f.status = r.string_or_empty("status");
    f.expires_at = r.optional_int64("expires_at");
    f.status_details = r.optional_string("status_details");
    return f;
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const file_object& f)
{
    boost::json::object& o = v.emplace_object();
    o.reserve(9);
    o.emplace("id", f.id);
    o.emplace("object", "file");
    o.emplace("bytes", f.bytes);
    o.emplace("created_at", f.created_at);
    detail::put_optional(o, "expires_at", f.expires_at);
    o.emplace("filename", f.filename);
    o.emplace("purpose", f.purpose);
    o.emplace("status", f.status);
    detail::put_optional(o, "status_details", f.status_details);
}

} // namespace batchwire
