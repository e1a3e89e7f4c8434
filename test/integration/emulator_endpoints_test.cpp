// Each endpoint's success and error answers, checked against the API reference's required fields.
#include "emulator_test_client.hpp"

#include <batchwire/emulator/tls_identity.hpp>

#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

using namespace emulator_test;
namespace em = batchwire::emulator;

namespace {

em::emulator_options manual_options()
{
    em::emulator_options o;
    o.manual_clock = true;
    o.start_time = 1'700'000'000;
    return o;
}

const std::string boundary = "----batchwire-test-boundary";

http_result upload(test_client& c, const std::string& content, const std::string& purpose = "batch",
                   const std::string& filename = "input.jsonl")
{
    return c.request("POST", "/v1/files", multipart_upload(boundary, filename, content, purpose), {},
                     "multipart/form-data; boundary=" + boundary);
}

std::string create_body(const std::string& file_id, const std::string& endpoint = "/v1/chat/completions")
{
    return R"({"input_file_id":")" + file_id + R"(","endpoint":")" + endpoint + R"(","completion_window":"24h"})";
}

void check_error(const http_result& r, unsigned status, std::optional<std::string> param = {})
{
    BOOST_TEST(r.status == status);
    BOOST_TEST(is_api_error_body(r.body), "not an API error body: " << r.body);
    BOOST_TEST(r.header("content-type") == "application/json");
    BOOST_TEST(r.header("x-request-id").rfind("req_", 0) == 0);
    if (param && is_api_error_body(r.body))
        BOOST_TEST(r.json().at("error").at("param") == boost::json::value(*param));
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_endpoints)

BOOST_AUTO_TEST_CASE(upload_retrieve_and_download_a_file)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    const std::string content = chat_lines(3);
    const auto r = upload(c, content);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    const auto f = r.json().as_object();
    for (const char* key : {"id", "object", "bytes", "created_at", "filename", "purpose", "status"})
        BOOST_TEST(f.contains(key), "file lacks " << key);
    BOOST_TEST(f.at("object").as_string() == "file");
    BOOST_TEST(f.at("id").as_string().starts_with("file-"));
    BOOST_TEST(f.at("bytes").as_int64() == static_cast<std::int64_t>(content.size()));
    BOOST_TEST(f.at("filename").as_string() == "input.jsonl");
    BOOST_TEST(f.at("purpose").as_string() == "batch");
    BOOST_TEST(f.at("created_at").as_int64() == 1'700'000'000);
    BOOST_TEST(f.at("expires_at").as_int64() == 1'700'000'000 + 30 * 24 * 3600);

    const std::string id(f.at("id").as_string());
    const auto got = c.get("/v1/files/" + id);
    BOOST_TEST(got.status == 200u);
    BOOST_TEST(got.json() == r.json());

    const auto content_reply = c.get("/v1/files/" + id + "/content");
    BOOST_TEST(content_reply.status == 200u);
    BOOST_TEST(content_reply.body == content);
    BOOST_TEST(content_reply.header("content-type") == "application/octet-stream");

    check_error(c.get("/v1/files/file-nope"), 404, std::string("id"));
    check_error(c.get("/v1/files/file-nope/content"), 404, std::string("id"));
}

BOOST_AUTO_TEST_CASE(upload_with_expires_after_fields)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    std::string body = multipart_upload(boundary, "x.jsonl", chat_lines(1), "batch");
    body.resize(body.size() - (boundary.size() + 6)); // drop the close delimiter
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"expires_after[anchor]\"\r\n\r\ncreated_at\r\n";
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"expires_after[seconds]\"\r\n\r\n3600\r\n";
    body += "--" + boundary + "--\r\n";
    const auto r = c.request("POST", "/v1/files", body, {}, "multipart/form-data; boundary=" + boundary);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    BOOST_TEST(r.json().at("expires_at").as_int64() == 1'700'000'000 + 3600);
}

BOOST_AUTO_TEST_CASE(upload_rejects_bad_input_files_naming_the_line)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);

    auto r = upload(c, chat_lines(1) + "{not json}\n");
    check_error(r, 400, std::string("file"));
    BOOST_TEST(std::string(r.json().at("error").at("message").as_string()).find("Line 2") != std::string::npos);

    r = upload(c, chat_lines(1) + chat_lines(1)); // req-0 twice
    check_error(r, 400, std::string("file"));
    BOOST_TEST(r.json().at("error").at("code").as_string() == "duplicate_custom_id");

    r = upload(c, R"({"custom_id":"a","method":"GET","url":"/v1/chat/completions","body":{}})" "\n");
    check_error(r, 400, std::string("file"));
    BOOST_TEST(r.json().at("error").at("code").as_string() == "invalid_method");

    r = upload(c, R"({"custom_id":"a","method":"POST","url":"/v1/nope","body":{}})" "\n");
    check_error(r, 400, std::string("file"));
    BOOST_TEST(r.json().at("error").at("code").as_string() == "invalid_url");

    r = upload(c, chat_lines(1), "not-a-purpose");
    check_error(r, 400, std::string("purpose"));

    // Not multipart at all; multipart without a closing boundary; a missing file part.
    check_error(c.post("/v1/files", "{}"), 400);
    std::string cut = multipart_upload(boundary, "x.jsonl", chat_lines(1), "batch");
    cut.resize(cut.size() / 2);
    check_error(c.request("POST", "/v1/files", cut, {}, "multipart/form-data; boundary=" + boundary), 400);
    const std::string purpose_only =
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--" + boundary + "--\r\n";
    check_error(c.request("POST", "/v1/files", purpose_only, {}, "multipart/form-data; boundary=" + boundary), 400,
                std::string("file"));

    // Too many lines.
    em::emulator_options o = manual_options();
    o.max_file_lines = 3;
    running_emulator small(o);
    test_client c2(small.server);
    r = upload(c2, chat_lines(4));
    check_error(r, 400, std::string("file"));
    BOOST_TEST(r.json().at("error").at("code").as_string() == "too_many_tasks");
    BOOST_TEST(upload(c2, chat_lines(3)).status == 200u);
}

BOOST_AUTO_TEST_CASE(create_and_retrieve_a_batch)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    const auto file_id = std::string(upload(c, chat_lines(2)).json().at("id").as_string());
    const auto r = c.post("/v1/batches",
                          R"({"input_file_id":")" + file_id +
                              R"(","endpoint":"/v1/chat/completions","completion_window":"24h",)"
                              R"("metadata":{"k":"v"},"output_expires_after":{"anchor":"created_at","seconds":7200}})");
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    const auto b = boost::json::value_to<batchwire::batch>(r.json());
    BOOST_TEST(status_name(b) == "validating");
    BOOST_TEST(b.input_file_id == file_id);
    BOOST_TEST(b.endpoint == "/v1/chat/completions");
    BOOST_TEST(b.completion_window == "24h");
    BOOST_TEST(b.metadata.value().at("k") == "v");
    const auto again = c.get("/v1/batches/" + b.id);
    BOOST_TEST(again.status == 200u);
    BOOST_TEST((boost::json::value_to<batchwire::batch>(again.json()) == b));

    // The output file honours output_expires_after.
    emu.server.advance(std::chrono::hours(1));
    const auto done = emu.server.find_batch(b.id).value();
    BOOST_REQUIRE(status_name(done) == "completed");
    const auto out = emu.server.find_file(done.output_file_id.value()).value();
    BOOST_TEST(out.expires_at.value() == out.created_at + 7200);
}

BOOST_AUTO_TEST_CASE(create_batch_errors)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    const auto batch_file = std::string(upload(c, chat_lines(2)).json().at("id").as_string());
    const auto other_file = std::string(upload(c, "hello", "user_data", "notes.txt").json().at("id").as_string());

    check_error(c.post("/v1/batches", "{not json"), 400);
    check_error(c.post("/v1/batches", "[]"), 400);
    check_error(c.post("/v1/batches", R"({"endpoint":"/v1/chat/completions","completion_window":"24h"})"), 400,
                std::string("input_file_id"));
    check_error(c.post("/v1/batches", create_body(batch_file, "/v1/nope")), 400, std::string("endpoint"));
    check_error(c.post("/v1/batches", R"({"input_file_id":")" + batch_file +
                                          R"(","endpoint":"/v1/embeddings","completion_window":"48h"})"),
                400, std::string("completion_window"));
    check_error(c.post("/v1/batches", R"({"input_file_id":")" + batch_file +
                                          R"(","endpoint":"/v1/embeddings","completion_window":"24h","x":1})"),
                400);
    check_error(c.post("/v1/batches", R"({"input_file_id":")" + batch_file +
                                          R"(","endpoint":"/v1/embeddings","completion_window":"24h",)"
                                          R"("output_expires_after":{"anchor":"created_at","seconds":10}})"),
                400, std::string("output_expires_after.seconds"));
    check_error(c.post("/v1/batches", create_body("file-missing")), 400, std::string("input_file_id"));
    check_error(c.post("/v1/batches", create_body(other_file)), 400, std::string("input_file_id"));
    BOOST_TEST(emu.server.request_count("POST /v1/batches") == 9u);
}

BOOST_AUTO_TEST_CASE(create_accepts_the_documented_endpoints_and_refuses_others)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    // Images since February 2026, videos since March 2026.
    for (const std::string endpoint : {"/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions",
                                       "/v1/moderations", "/v1/images/generations", "/v1/images/edits",
                                       "/v1/videos"}) {
        const auto file_id = std::string(upload(c, chat_lines(1, endpoint)).json().at("id").as_string());
        const auto r = c.post("/v1/batches", create_body(file_id, endpoint));
        BOOST_TEST(r.status == 200u, endpoint << ": " << r.body);
        if (r.status == 200u)
            BOOST_TEST(boost::json::value_to<batchwire::batch>(r.json()).endpoint == endpoint);
    }
    const auto file_id = std::string(upload(c, chat_lines(1)).json().at("id").as_string());
    for (const std::string endpoint : {"/v1/audio/speech", "/v1/images/variations", "/v1/videos/", "/v1/files",
                                       "v1/chat/completions", "/v1/Chat/Completions", "/"}) {
        const auto r = c.post("/v1/batches", create_body(file_id, endpoint));
        check_error(r, 400, std::string("endpoint"));
        if (is_api_error_body(r.body)) {
            const boost::json::value body = r.json();
        const auto& e = body.at("error");
            BOOST_TEST(e.at("code") == "invalid_value", endpoint);
            BOOST_TEST(e.at("message").as_string().starts_with("Invalid value for 'endpoint': expected one of"));
        }
    }
    BOOST_TEST(emu.server.request_count("POST /v1/batches") == 15u);
}

BOOST_AUTO_TEST_CASE(unknown_batch_is_404)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    auto r = c.get("/v1/batches/batch_missing");
    check_error(r, 404);
    BOOST_TEST(r.json().at("error").at("type").as_string() == "invalid_request_error");
    BOOST_TEST(r.json().at("error").at("code").is_null());
    BOOST_TEST(r.json().at("error").at("message").as_string() == "No batch found with id 'batch_missing'.");
    check_error(c.post("/v1/batches/batch_missing/cancel"), 404);
    // A percent-encoded id is decoded before the lookup.
    r = c.get("/v1/batches/batch%2Fslash");
    check_error(r, 404);
    BOOST_TEST(r.json().at("error").at("message").as_string() == "No batch found with id 'batch/slash'.");
}

BOOST_AUTO_TEST_CASE(authentication)
{
    running_emulator emu(manual_options());
    {
        test_client c(emu.server, client_options{.api_key = ""});
        const auto r = c.get("/v1/batches");
        check_error(r, 401);
    }
    {
        test_client c(emu.server, client_options{.api_key = "sk-wrong-secret"});
        const auto r = c.get("/v1/batches");
        check_error(r, 401);
        BOOST_TEST(r.json().at("error").at("code").as_string() == "invalid_api_key");
        BOOST_TEST(r.body.find("sk-wrong-secret") == std::string::npos);
        // The connection stays usable after a 401.
        BOOST_TEST(c.get("/v1/batches").status == 401u);
    }
    {
        em::emulator_options o = manual_options();
        o.api_key.clear(); // any bearer token
        running_emulator any(o);
        test_client c(any.server, client_options{.api_key = "whatever"});
        BOOST_TEST(c.get("/v1/batches").status == 200u);
    }
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_wrong_methods)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    check_error(c.get("/v1/nothing"), 404);
    check_error(c.get("/v2/batches"), 404);
    check_error(c.get("/v1/batches/x/y/z"), 404);
    auto r = c.request("DELETE", "/v1/batches/batch_x");
    check_error(r, 405);
    BOOST_TEST(r.header("allow") == "GET");
    r = c.request("PUT", "/v1/batches");
    check_error(r, 405);
    BOOST_TEST(r.header("allow") == "POST, GET");
    check_error(c.get("/v1/batches/x/cancel"), 405);
    BOOST_TEST(emu.server.request_count("DELETE /v1/batches/{batch_id}") == 1u);
    BOOST_TEST(emu.server.request_count("/v1/batches") == 1u);
}

BOOST_AUTO_TEST_CASE(every_response_carries_the_api_headers)
{
    em::emulator_options o = manual_options();
    o.poll_after_hint = std::chrono::milliseconds(1500);
    running_emulator emu(o);
    test_client c(emu.server);
    const auto a = c.get("/v1/batches");
    const auto b = c.get("/v1/files/file-none");
    for (const auto* r : {&a, &b}) {
        for (const char* h : {"x-request-id", "openai-processing-ms", "openai-version", "x-ratelimit-limit-requests",
                              "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
                              "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests",
                              "x-ratelimit-reset-tokens", "content-type"})
            BOOST_TEST(r->has_header(h), "missing " << h);
    }
    BOOST_TEST(a.header("x-request-id") != b.header("x-request-id"));
    BOOST_TEST(a.header("x-ratelimit-reset-tokens") == "6m0s");
    BOOST_TEST(a.header("date") == "Tue, 14 Nov 2023 22:13:20 GMT"); // the emulated clock's now
    BOOST_TEST(a.header("openai-poll-after-ms") == "1500");
    BOOST_TEST(!b.has_header("openai-poll-after-ms")); // file reads get no hint
    emu.server.set_poll_after_hint(std::nullopt);
    BOOST_TEST(!c.get("/v1/batches").has_header("openai-poll-after-ms"));
}

BOOST_AUTO_TEST_CASE(list_pages_newest_first)
{
    running_emulator emu(manual_options());
    auto& s = emu.server;
    const auto file = s.put_file("in.jsonl", "batch", chat_lines(1));
    std::vector<std::string> created;
    for (int i = 0; i < 45; ++i) {
        batchwire::batch_create_params p;
        p.input_file_id = file.id;
        p.endpoint = "/v1/embeddings";
        created.push_back(s.put_batch(p).id);
    }
    test_client c(s);

    std::vector<std::string> seen;
    std::string target = "/v1/batches";
    std::vector<std::size_t> sizes;
    for (;;) {
        const auto r = c.get(target);
        BOOST_REQUIRE(r.status == 200u);
        const auto page = boost::json::value_to<batchwire::batch_page>(r.json());
        BOOST_TEST(r.json().at("object").as_string() == "list");
        sizes.push_back(page.data.size());
        for (const auto& b : page.data)
            seen.push_back(b.id);
        if (!page.data.empty()) {
            BOOST_TEST(page.first_id.value() == page.data.front().id);
            BOOST_TEST(page.last_id.value() == page.data.back().id);
        }
        const auto next = page.next_cursor();
        if (!next)
            break;
        target = "/v1/batches?limit=20&after=" + *next;
    }
    BOOST_TEST(sizes == (std::vector<std::size_t>{20, 20, 5}), boost::test_tools::per_element());
    std::reverse(created.begin(), created.end());
    BOOST_TEST(seen == created, boost::test_tools::per_element());

    const auto small = c.get("/v1/batches?limit=1");
    BOOST_TEST(small.json().at("data").as_array().size() == 1u);
    BOOST_TEST(small.json().at("has_more").as_bool());
    const auto all = c.get("/v1/batches?limit=100");
    BOOST_TEST(all.json().at("data").as_array().size() == 45u);
    BOOST_TEST(!all.json().at("has_more").as_bool());
    const auto unknown = c.get("/v1/batches?after=batch_unknown");
    BOOST_TEST(unknown.status == 200u);
    BOOST_TEST(unknown.json().at("data").as_array().empty());
    BOOST_TEST(unknown.json().at("first_id").is_null());

    check_error(c.get("/v1/batches?limit=0"), 400, std::string("limit"));
    check_error(c.get("/v1/batches?limit=101"), 400, std::string("limit"));
    check_error(c.get("/v1/batches?limit=abc"), 400, std::string("limit"));
}

BOOST_AUTO_TEST_CASE(empty_list)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    const auto r = c.get("/v1/batches");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body == R"({"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false})");
}

BOOST_AUTO_TEST_CASE(tls_by_host_name_and_plain_http)
{
    running_emulator emu(manual_options());
    test_client by_name(emu.server, client_options{.use_host_name = true});
    BOOST_TEST(by_name.get("/v1/batches").status == 200u);
    BOOST_TEST(emu.server.base_url().starts_with("https://127.0.0.1:"));
    BOOST_TEST(!emu.server.ca_file().empty());

    em::emulator_options o = manual_options();
    o.tls = false;
    running_emulator plain(o);
    BOOST_TEST(plain.server.base_url() == "http://127.0.0.1:" + std::to_string(plain.server.port()) + "/v1");
    BOOST_TEST(plain.server.ca_file().empty());
    test_client c(plain.server);
    BOOST_TEST(c.get("/v1/batches").status == 200u);
}

BOOST_AUTO_TEST_CASE(a_client_that_does_not_trust_the_ca_fails_the_handshake)
{
    running_emulator emu(manual_options());
    running_emulator other(manual_options()); // another CA
    // A client that trusts `other`'s CA, pointed at `emu`.
    asio::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    ctx.add_certificate_authority(asio::buffer(other.server.ca_pem()));
    ctx.set_verify_mode(ssl::verify_peer);
    ssl::stream<tcp::socket> stream(ioc, ctx);
    stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), emu.server.port()));
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::client, ec);
    BOOST_TEST(ec.failed());
    // The server is fine afterwards.
    test_client good(emu.server);
    BOOST_TEST(good.get("/v1/batches").status == 200u);
}

BOOST_AUTO_TEST_CASE(large_files_download_whole)
{
    running_emulator emu(manual_options());
    std::string big;
    for (int i = 0; big.size() < 3 * 1024 * 1024; ++i)
        big += "line " + std::to_string(i) + " of a large file that goes out in pieces\n";
    const auto f = emu.server.put_file("big.txt", "user_data", big);
    BOOST_TEST(f.bytes == static_cast<std::int64_t>(big.size()));
    test_client c(emu.server);
    const auto r = c.get("/v1/files/" + f.id + "/content");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body.size() == big.size());
    BOOST_TEST((r.body == big));
    BOOST_TEST(c.get("/v1/batches").status == 200u); // the connection is still in step
}

BOOST_AUTO_TEST_CASE(loads_a_tls_identity_from_files)
{
    const auto generated = em::tls_identity::generate(); // owns a temporary directory
    const auto dir = std::filesystem::path(generated.ca_file()).parent_path();
    std::ofstream(dir / "server.pem") << generated.cert_pem();
    std::ofstream(dir / "server.key") << generated.key_pem();
    em::emulator_options o = manual_options();
    o.cert_file = (dir / "server.pem").string();
    o.key_file = (dir / "server.key").string();
    o.ca_file = generated.ca_file();
    running_emulator emu(o);
    BOOST_TEST(emu.server.ca_file() == generated.ca_file());
    BOOST_TEST(emu.server.ca_pem() == generated.ca_pem());
    test_client c(emu.server);
    BOOST_TEST(c.get("/v1/batches").status == 200u);

    o.key_file = (dir / "missing.key").string();
    asio::io_context ioc;
    BOOST_CHECK_THROW(em::server(ioc.get_executor(), o), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
