#include <batchwire/emulator/route_table.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <vector>

namespace batchwire::emulator {

namespace {

struct path_shape {
    std::string_view path_pattern;
    std::string_view method;
    route_id id;
};

} // namespace

route_match match_route(std::string_view method, std::string_view target)
{
    route_match m;
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        m.id = route_id::bad_target;
        m.pattern = std::string(method) + " (unknown)";
        return m;
    }
    const boost::urls::url_view& url = *parsed;
    if (url.has_query())
        m.query = std::string(url.encoded_query());

    std::vector<std::string> segs;
    for (auto s : url.segments())
        segs.push_back(s);

    // Which shape does the path have?
    std::string_view path_pattern;
    bool has_id = false;
    if (segs.size() >= 2 && segs[0] == "v1") {
        const std::string& collection = segs[1];
        const bool files = collection == "files";
        const bool batches = collection == "batches";
        if ((files || batches) && segs.size() == 2) {
            path_pattern = files ? "/v1/files" : "/v1/batches";
        } else if ((files || batches) && segs.size() == 3 && !segs[2].empty()) {
            path_pattern = files ? "/v1/files/{id}" : "/v1/batches/{id}";
            has_id = true;
        } else if (segs.size() == 4 && !segs[2].empty() && files && segs[3] == "content") {
            path_pattern = "/v1/files/{id}/content";
            has_id = true;
        } else if (segs.size() == 4 && !segs[2].empty() && batches && segs[3] == "cancel") {
            path_pattern = "/v1/batches/{id}/cancel";
            has_id = true;
        }
    }
    if (path_pattern.empty()) {
        m.id = route_id::not_found;
        m.pattern = std::string(method) + " (unknown)";
        return m;
    }
    if (has_id)
        m.path_id = segs[2];
    m.pattern = std::string(method) + " " + std::string(path_pattern);

    static constexpr path_shape shapes[] = {
        {"/v1/files", "POST", route_id::create_file},
        {"/v1/files/{id}", "GET", route_id::retrieve_file},
        {"/v1/files/{id}/content", "GET", route_id::download_file},
        {"/v1/batches", "POST", route_id::create_batch},
        {"/v1/batches", "GET", route_id::list_batches},
        {"/v1/batches/{id}", "GET", route_id::retrieve_batch},
        {"/v1/batches/{id}/cancel", "POST", route_id::cancel_batch},
    };
    for (const auto& shape : shapes) {
        if (shape.path_pattern != path_pattern)
            continue;
        if (shape.method == method) {
            m.id = shape.id;
            return m;
        }
        if (!m.allow.empty())
            m.allow += ", ";
        m.allow += shape.method;
    }
    m.id = route_id::method_not_allowed;
    return m;
}

} // namespace batchwire::emulator
