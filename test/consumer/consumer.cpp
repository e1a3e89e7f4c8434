// Uses the installed package: parses a batch with the model and checks a field.
#include <batchwire/batch.hpp>
#include <batchwire/json_parse.hpp>

#include <iostream>

int main()
{
    auto b = batchwire::parse_as<batchwire::batch>(
        R"({"id":"batch_1","object":"batch","endpoint":"/v1/embeddings","input_file_id":"file-1",)"
        R"("completion_window":"24h","status":"cancelling","created_at":1})");
    std::cout << b.id << ' ' << batchwire::to_string(b.status) << '\n';
    return b.status == batchwire::batch_status::cancelling ? 0 : 1;
}
