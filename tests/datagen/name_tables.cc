// Given names, surnames and nicknames. Weights are rough relative
// frequencies for a present-day US state population; the spellings include
// accents, apostrophes, hyphens, spaces and Vietnamese diacritics on purpose,
// because those are what normalisation and matching must survive.
#include <algorithm>
#include <array>

#include "tests/datagen/tables.h"

namespace fedlink::datagen {
namespace {

constexpr Origin G = Origin::kGeneral;
constexpr Origin H = Origin::kHispanic;
constexpr Origin V = Origin::kVietnamese;
constexpr Origin K = Origin::kKorean;
constexpr Origin C = Origin::kChinese;
constexpr Origin S = Origin::kSouthAsian;
constexpr Origin A = Origin::kArabic;
constexpr Origin F = Origin::kAfrican;

// The name tables are packed several entries to a line, which clang-format
// would unpack into one entry per line.
// clang-format off
constexpr NameEntry kFemale[] = {
    {"Mary", 250, G}, {"Patricia", 130, G}, {"Jennifer", 140, G}, {"Linda", 110, G},
    {"Elizabeth", 120, G}, {"Barbara", 100, G}, {"Susan", 95, G}, {"Jessica", 110, G},
    {"Sarah", 110, G}, {"Karen", 85, G}, {"Lisa", 80, G}, {"Nancy", 70, G}, {"Betty", 50, G},
    {"Sandra", 65, G}, {"Margaret", 70, G}, {"Ashley", 100, G}, {"Kimberly", 80, G},
    {"Emily", 90, G}, {"Donna", 55, G}, {"Michelle", 75, G}, {"Carol", 50, G}, {"Amanda", 85, G},
    {"Melissa", 75, G}, {"Deborah", 55, G}, {"Stephanie", 75, G}, {"Dorothy", 40, G},
    {"Rebecca", 60, G}, {"Sharon", 45, G}, {"Laura", 55, G}, {"Cynthia", 45, G}, {"Amy", 55, G},
    {"Kathleen", 45, G}, {"Angela", 55, G}, {"Shirley", 30, G}, {"Brenda", 40, G}, {"Emma", 60, G},
    {"Anna", 45, G}, {"Pamela", 40, G}, {"Nicole", 55, G}, {"Samantha", 55, G},
    {"Katherine", 50, G}, {"Christine", 40, G}, {"Helen", 30, G}, {"Debra", 35, G},
    {"Rachel", 45, G}, {"Carolyn", 30, G}, {"Janet", 30, G}, {"Maria", 70, H}, {"Catherine", 35, G},
    {"Heather", 40, G}, {"Diane", 30, G}, {"Olivia", 55, G}, {"Julie", 35, G}, {"Joyce", 25, G},
    {"Victoria", 35, G}, {"Ruth", 25, G}, {"Virginia", 25, G}, {"Lauren", 45, G}, {"Kelly", 35, G},
    {"Christina", 40, G}, {"Joan", 20, G}, {"Evelyn", 25, G}, {"Judith", 25, G}, {"Andrea", 30, G},
    {"Hannah", 40, G}, {"Megan", 40, G}, {"Cheryl", 25, G}, {"Jacqueline", 25, G},
    {"Martha", 25, G}, {"Madison", 40, G}, {"Teresa", 25, G}, {"Gloria", 20, G}, {"Sara", 25, G},
    {"Janice", 20, G}, {"Ann", 20, G}, {"Kathryn", 25, G}, {"Abigail", 35, G}, {"Sophia", 45, G},
    {"Frances", 15, G}, {"Jean", 15, G}, {"Alice", 20, G}, {"Judy", 15, G}, {"Isabella", 40, G},
    {"Julia", 25, G}, {"Grace", 25, G}, {"Amber", 25, G}, {"Denise", 20, G}, {"Danielle", 30, G},
    {"Marilyn", 15, G}, {"Beverly", 15, G}, {"Charlotte", 30, G}, {"Natalie", 30, G},
    {"Theresa", 20, G}, {"Diana", 20, G}, {"Brittany", 30, G}, {"Kayla", 30, G}, {"Alexis", 25, G},
    {"Lori", 15, G}, {"Marie", 15, G}, {"Ava", 35, G}, {"Mia", 30, G}, {"Chloe", 25, G},
    {"Chloé", 3, G}, {"Zoe", 15, G}, {"Zoë", 3, G}, {"Renée", 5, G}, {"Aaliyah", 15, G},
    {"Imani", 8, G}, {"Jasmine", 20, G}, {"Destiny", 12, G}, {"Tiffany", 20, G}, {"Latoya", 8, G},
    {"Keisha", 6, G}, {"Ebony", 8, G}, {"Ja'Nya", 2, G}, {"D'Asia", 2, G}, {"Mary-Kate", 2, G},
    {"Anne-Marie", 3, G}, {"Mary Beth", 3, G}, {"Leigh-Ann", 2, G}, {"Harper", 15, G},
    {"Avery", 15, G}, {"Riley", 12, G}, {"Addison", 12, G}, {"Savannah", 15, G},
    {"Caroline", 15, G}, {"Claire", 15, G}, {"Lillian", 12, G}, {"Ella", 20, G},
    {"Scarlett", 12, G}, {"Nora", 10, G}, {"Hazel", 8, G}, {"Audrey", 10, G}, {"Lily", 15, G},
    {"Layla", 12, G}, {"Erin", 20, G}, {"Courtney", 20, G}, {"Allison", 20, G}, {"Morgan", 20, G},
    {"Haley", 20, G}, {"Taylor", 20, G}, {"Molly", 10, G}, {"Holly", 12, G}, {"Kristen", 20, G},
    {"Erica", 15, G}, {"Stacy", 15, G}, {"Tracy", 12, G}, {"Wendy", 12, G}, {"Monica", 15, G},
    {"Vanessa", 15, G}, {"Veronica", 12, G}, {"Crystal", 15, G}, {"Valerie", 12, G},
    {"Leslie", 10, G}, {"Siobhan", 2, G}, {"Bridget", 6, G},
    // Hispanic
    {"María", 25, H}, {"Guadalupe", 12, H}, {"Sofía", 10, H}, {"Ana", 15, H}, {"Lucía", 6, H},
    {"Valentina", 6, H}, {"Camila", 12, H}, {"Ximena", 5, H}, {"Daniela", 12, H},
    {"Gabriela", 12, H}, {"Alejandra", 10, H}, {"Mariana", 8, H}, {"Adriana", 10, H},
    {"Yesenia", 6, H}, {"Marisol", 5, H}, {"Rosa", 10, H}, {"Carmen", 12, H}, {"Juana", 6, H},
    {"Josefina", 5, H}, {"Dolores", 5, H}, {"Araceli", 4, H}, {"Itzel", 3, H}, {"María José", 3, H},
    {"Inés", 3, H},
    // Vietnamese
    {"Thảo", 3, V}, {"Linh", 4, V}, {"Hương", 3, V}, {"Ngọc", 3, V}, {"Trang", 3, V}, {"Mai", 4, V},
    {"Phương", 3, V}, {"Hoa", 3, V}, {"Lan", 3, V},
    // Korean
    {"Ji-yeon", 2, K}, {"Min-ji", 2, K}, {"Seo-yeon", 2, K}, {"Eun-ji", 2, K}, {"Soo-jin", 2, K},
    {"Hyun-joo", 1, K},
    // Chinese
    {"Mei", 3, C}, {"Xiaoling", 2, C}, {"Yan", 2, C}, {"Jing", 2, C}, {"Yue", 2, C}, {"Hui", 2, C},
    // South Asian
    {"Priya", 4, S}, {"Ananya", 3, S}, {"Aditi", 2, S}, {"Sneha", 2, S}, {"Pooja", 3, S},
    {"Neha", 3, S}, {"Divya", 3, S}, {"Lakshmi", 2, S}, {"Kavya", 2, S},
    // Arabic
    {"Fatima", 5, A}, {"Aisha", 4, A}, {"Mariam", 3, A}, {"Noor", 3, A}, {"Zainab", 2, A},
    {"Amira", 3, A}, {"Yasmin", 3, A}, {"Huda", 2, A},
    // African
    {"Amara", 2, F}, {"Hodan", 2, F}, {"Hiwot", 1, F}, {"Selam", 2, F}, {"Chiamaka", 1, F},
    {"Abena", 1, F}, {"Fatoumata", 1, F}, {"Nia", 2, F}, {"Ayan", 1, F},
};
// clang-format on

// clang-format off
constexpr NameEntry kMale[] = {
    {"James", 250, G}, {"John", 240, G}, {"Robert", 230, G}, {"Michael", 250, G},
    {"William", 200, G}, {"David", 220, G}, {"Richard", 150, G}, {"Joseph", 140, G},
    {"Thomas", 130, G}, {"Charles", 120, G}, {"Christopher", 130, G}, {"Daniel", 120, G},
    {"Matthew", 110, G}, {"Anthony", 90, G}, {"Mark", 80, G}, {"Donald", 70, G}, {"Steven", 70, G},
    {"Paul", 60, G}, {"Andrew", 70, G}, {"Joshua", 80, G}, {"Kenneth", 55, G}, {"Kevin", 60, G},
    {"Brian", 60, G}, {"George", 55, G}, {"Timothy", 45, G}, {"Ronald", 50, G}, {"Edward", 40, G},
    {"Jason", 55, G}, {"Jeffrey", 45, G}, {"Ryan", 50, G}, {"Jacob", 55, G}, {"Gary", 40, G},
    {"Nicholas", 45, G}, {"Eric", 40, G}, {"Jonathan", 45, G}, {"Stephen", 40, G}, {"Larry", 30, G},
    {"Justin", 40, G}, {"Scott", 35, G}, {"Brandon", 40, G}, {"Benjamin", 40, G}, {"Samuel", 30, G},
    {"Gregory", 30, G}, {"Alexander", 40, G}, {"Frank", 25, G}, {"Patrick", 30, G},
    {"Raymond", 25, G}, {"Jack", 25, G}, {"Dennis", 20, G}, {"Jerry", 20, G}, {"Tyler", 30, G},
    {"Aaron", 25, G}, {"Henry", 20, G}, {"Adam", 25, G}, {"Douglas", 20, G}, {"Nathan", 25, G},
    {"Peter", 20, G}, {"Zachary", 25, G}, {"Kyle", 25, G}, {"Walter", 15, G}, {"Harold", 15, G},
    {"Jeremy", 20, G}, {"Ethan", 30, G}, {"Carl", 15, G}, {"Keith", 15, G}, {"Roger", 15, G},
    {"Gerald", 12, G}, {"Christian", 20, G}, {"Terry", 12, G}, {"Sean", 20, G}, {"Arthur", 12, G},
    {"Austin", 20, G}, {"Noah", 30, G}, {"Lawrence", 12, G}, {"Jesse", 15, G}, {"Bryan", 15, G},
    {"Jordan", 20, G}, {"Albert", 10, G}, {"Dylan", 20, G}, {"Bruce", 10, G}, {"Willie", 10, G},
    {"Gabriel", 15, G}, {"Alan", 12, G}, {"Juan", 30, H}, {"Logan", 15, G}, {"Wayne", 10, G},
    {"Ralph", 8, G}, {"Roy", 10, G}, {"Eugene", 8, G}, {"Randy", 10, G}, {"Vincent", 10, G},
    {"Russell", 10, G}, {"Louis", 10, G}, {"Philip", 10, G}, {"Bobby", 8, G}, {"Johnny", 8, G},
    {"Bradley", 10, G}, {"Liam", 25, G}, {"Mason", 20, G}, {"Elijah", 20, G}, {"Lucas", 20, G},
    {"Oliver", 15, G}, {"Aiden", 15, G}, {"Caleb", 15, G}, {"Owen", 10, G}, {"Wyatt", 10, G},
    {"Hunter", 12, G}, {"Connor", 12, G}, {"Cameron", 12, G}, {"Evan", 12, G}, {"Luke", 12, G},
    {"Isaac", 10, G}, {"Ian", 10, G}, {"Jamal", 8, G}, {"DeShawn", 5, G}, {"Darnell", 6, G},
    {"Tyrone", 6, G}, {"Terrell", 6, G}, {"Malik", 6, G}, {"Jalen", 5, G}, {"D'Andre", 3, G},
    {"Jean-Luc", 1, G}, {"Jean-Pierre", 1, G}, {"John Paul", 2, G}, {"Billy Ray", 1, G},
    {"Trevor", 8, G}, {"Travis", 10, G}, {"Shane", 8, G}, {"Derek", 8, G}, {"Marcus", 10, G},
    {"Devin", 10, G}, {"Chad", 8, G}, {"Craig", 8, G}, {"Todd", 8, G}, {"Troy", 8, G},
    {"Dustin", 8, G}, {"Cody", 12, G}, {"Seth", 8, G}, {"Garrett", 6, G}, {"Colin", 6, G},
    {"Grant", 6, G}, {"Spencer", 6, G}, {"Mitchell", 8, G}, {"Dominic", 6, G}, {"Tristan", 6, G},
    {"Xavier", 6, G}, {"Malcolm", 4, G}, {"Seamus", 2, G},
    // Hispanic
    {"José", 40, H}, {"Luis", 25, H}, {"Carlos", 25, H}, {"Jorge", 15, H}, {"Miguel", 18, H},
    {"Jesús", 12, H}, {"Alejandro", 12, H}, {"Francisco", 12, H}, {"Antonio", 12, H},
    {"Manuel", 10, H}, {"Pedro", 8, H}, {"Ricardo", 8, H}, {"Fernando", 8, H}, {"Javier", 10, H},
    {"Eduardo", 8, H}, {"Roberto", 8, H}, {"Héctor", 5, H}, {"Raúl", 5, H}, {"Ángel", 8, H},
    {"Andrés", 5, H}, {"Sergio", 6, H}, {"Diego", 8, H}, {"Mateo", 6, H}, {"Santiago", 5, H},
    {"Enrique", 5, H}, {"Rafael", 6, H}, {"Ramón", 4, H}, {"Joaquín", 3, H}, {"Juan Carlos", 4, H},
    {"José Luis", 4, H},
    // Vietnamese
    {"Minh", 4, V}, {"Huy", 3, V}, {"Tuấn", 3, V}, {"Dũng", 2, V}, {"Hùng", 2, V}, {"Khoa", 2, V},
    {"Quang", 2, V}, {"Đức", 2, V}, {"Bảo", 2, V},
    // Korean
    {"Ji-hoon", 2, K}, {"Min-jun", 2, K}, {"Sung-min", 2, K}, {"Jae-won", 2, K},
    {"Dong-hyun", 1, K}, {"Young-ho", 1, K},
    // Chinese
    {"Wei", 3, C}, {"Jun", 2, C}, {"Hao", 2, C}, {"Ming", 2, C}, {"Jian", 2, C}, {"Lei", 2, C},
    {"Zhiwei", 1, C},
    // South Asian
    {"Rahul", 4, S}, {"Arjun", 4, S}, {"Vikram", 2, S}, {"Rohan", 3, S}, {"Amit", 3, S},
    {"Sanjay", 3, S}, {"Aarav", 2, S}, {"Ravi", 3, S}, {"Krishna", 2, S}, {"Raj", 2, S},
    // Arabic
    {"Mohammed", 8, A}, {"Muhammad", 6, A}, {"Ahmed", 6, A}, {"Ali", 5, A}, {"Omar", 6, A},
    {"Yusuf", 3, A}, {"Ibrahim", 3, A}, {"Hassan", 3, A}, {"Khalid", 2, A}, {"Abdul-Rahman", 1, A},
    // African
    {"Kwame", 2, F}, {"Abdi", 2, F}, {"Chukwuemeka", 1, F}, {"Oluwaseun", 1, F}, {"Yonas", 1, F},
    {"Dawit", 2, F}, {"Kofi", 2, F}, {"Mamadou", 1, F},
};
// clang-format on

// clang-format off
constexpr NameEntry kSurnames[] = {
    {"Smith", 828, G},      {"Johnson", 655, G},    {"Williams", 550, G},    {"Brown", 497, G},
    {"Jones", 483, G},      {"Miller", 424, G},     {"Davis", 394, G},       {"Garcia", 300, H},
    {"García", 90, H},      {"Rodriguez", 250, H},  {"Rodríguez", 70, H},    {"Wilson", 250, G},
    {"Martinez", 230, H},   {"Martínez", 60, H},    {"Anderson", 270, G},    {"Taylor", 250, G},
    {"Thomas", 240, G},     {"Hernandez", 220, H},  {"Hernández", 60, H},    {"Moore", 240, G},
    {"Martin", 230, G},     {"Jackson", 235, G},    {"Thompson", 230, G},    {"White", 225, G},
    {"Lopez", 200, H},      {"López", 55, H},       {"Lee", 220, G},         {"Gonzalez", 190, H},
    {"González", 55, H},    {"Harris", 190, G},     {"Clark", 190, G},       {"Lewis", 175, G},
    {"Robinson", 175, G},   {"Walker", 175, G},     {"Perez", 160, H},       {"Pérez", 45, H},
    {"Hall", 160, G},       {"Young", 160, G},      {"Allen", 155, G},       {"Sanchez", 150, H},
    {"Sánchez", 40, H},     {"Wright", 150, G},     {"King", 150, G},        {"Scott", 145, G},
    {"Green", 140, G},      {"Baker", 140, G},      {"Adams", 140, G},       {"Nelson", 135, G},
    {"Hill", 135, G},       {"Ramirez", 125, H},    {"Ramírez", 35, H},      {"Campbell", 125, G},
    {"Mitchell", 125, G},   {"Roberts", 125, G},    {"Carter", 125, G},      {"Phillips", 115, G},
    {"Evans", 115, G},      {"Turner", 110, G},     {"Torres", 110, H},      {"Parker", 105, G},
    {"Collins", 105, G},    {"Edwards", 105, G},    {"Stewart", 105, G},     {"Flores", 105, H},
    {"Morris", 105, G},     {"Nguyen", 100, V},     {"Nguyễn", 35, V},       {"Murphy", 100, G},
    {"Rivera", 100, H},     {"Cook", 100, G},       {"Rogers", 100, G},      {"Morgan", 95, G},
    {"Peterson", 95, G},    {"Cooper", 95, G},      {"Reed", 95, G},         {"Bailey", 95, G},
    {"Bell", 95, G},        {"Gomez", 90, H},       {"Gómez", 25, H},        {"Kelly", 90, G},
    {"Howard", 90, G},      {"Ward", 90, G},        {"Cox", 90, G},          {"Diaz", 90, H},
    {"Díaz", 25, H},        {"Richardson", 85, G},  {"Wood", 85, G},         {"Watson", 85, G},
    {"Brooks", 85, G},      {"Bennett", 85, G},     {"Gray", 85, G},         {"James", 85, G},
    {"Reyes", 80, H},       {"Cruz", 80, H},        {"Hughes", 80, G},       {"Price", 80, G},
    {"Myers", 80, G},       {"Long", 80, G},        {"Foster", 80, G},       {"Sanders", 80, G},
    {"Ross", 80, G},        {"Morales", 80, H},     {"Powell", 75, G},       {"Sullivan", 75, G},
    {"Russell", 75, G},     {"Ortiz", 75, H},       {"Jenkins", 75, G},      {"Gutierrez", 70, H},
    {"Gutiérrez", 20, H},   {"Perry", 70, G},       {"Butler", 70, G},       {"Barnes", 70, G},
    {"Fisher", 70, G},      {"Henderson", 70, G},   {"Coleman", 70, G},      {"Simmons", 70, G},
    {"Patterson", 70, G},   {"Jordan", 70, G},      {"Reynolds", 65, G},     {"Hamilton", 65, G},
    {"Graham", 65, G},      {"Kim", 65, K},         {"Gonzales", 65, H},     {"Alexander", 65, G},
    {"Ramos", 65, H},       {"Wallace", 65, G},     {"Griffin", 65, G},      {"West", 65, G},
    {"Cole", 65, G},        {"Hayes", 65, G},       {"Chavez", 65, H},       {"Gibson", 60, G},
    {"Bryant", 60, G},      {"Ellis", 60, G},       {"Stevens", 60, G},      {"Murray", 60, G},
    {"Ford", 60, G},        {"Marshall", 60, G},    {"Owens", 60, G},        {"McDonald", 60, G},
    {"Harrison", 60, G},    {"Ruiz", 60, H},        {"Kennedy", 60, G},      {"Wells", 60, G},
    {"Alvarez", 60, H},     {"Woods", 60, G},       {"Mendoza", 60, H},      {"Castillo", 55, H},
    {"Olson", 55, G},       {"Webb", 55, G},        {"Washington", 55, G},   {"Tucker", 55, G},
    {"Freeman", 55, G},     {"Burns", 55, G},       {"Henry", 55, G},        {"Vasquez", 55, H},
    {"Snyder", 55, G},      {"Simpson", 55, G},     {"Crawford", 55, G},     {"Jimenez", 55, H},
    {"Jiménez", 15, H},     {"Porter", 55, G},      {"Mason", 55, G},        {"Shaw", 55, G},
    {"Gordon", 55, G},      {"Wagner", 55, G},      {"Hunter", 55, G},       {"Romero", 55, H},
    {"Hicks", 50, G},       {"Dixon", 50, G},       {"Hunt", 50, G},         {"Palmer", 50, G},
    {"Robertson", 50, G},   {"Black", 50, G},       {"Holmes", 50, G},       {"Stone", 50, G},
    {"Meyer", 50, G},       {"Boyd", 50, G},        {"Mills", 50, G},        {"Warren", 50, G},
    {"Fox", 50, G},         {"Rose", 50, G},        {"Rice", 50, G},         {"Moreno", 50, H},
    {"Schmidt", 50, G},     {"Patel", 50, S},       {"Ferguson", 50, G},     {"Nichols", 50, G},
    {"Herrera", 50, H},     {"Medina", 50, H},      {"Ryan", 50, G},         {"Fernandez", 50, H},
    {"Fernández", 12, H},   {"Weaver", 45, G},      {"Daniels", 45, G},      {"Stephens", 45, G},
    {"Gardner", 45, G},     {"Payne", 45, G},       {"Kelley", 45, G},       {"Dunn", 45, G},
    {"Pierce", 45, G},      {"Arnold", 45, G},      {"Tran", 45, V},         {"Trần", 12, V},
    {"Spencer", 45, G},     {"Peters", 45, G},      {"Hawkins", 45, G},      {"Grant", 45, G},
    {"Hansen", 45, G},      {"Castro", 45, H},      {"Hoffman", 45, G},      {"Hart", 45, G},
    {"Elliott", 45, G},     {"Cunningham", 45, G},  {"Knight", 45, G},       {"Bradley", 45, G},
    {"Carroll", 40, G},     {"Hudson", 40, G},      {"Duncan", 40, G},       {"Armstrong", 40, G},
    {"Berry", 40, G},       {"Andrews", 40, G},     {"Johnston", 40, G},     {"Ray", 40, G},
    {"Lane", 40, G},        {"Riley", 40, G},       {"Carpenter", 40, G},    {"Perkins", 40, G},
    {"Aguilar", 40, H},     {"Silva", 40, H},       {"Richards", 40, G},     {"Willis", 40, G},
    {"Matthews", 40, G},    {"Chapman", 40, G},     {"Lawrence", 40, G},     {"Garza", 40, H},
    {"Vargas", 40, H},      {"Watkins", 40, G},     {"Wheeler", 40, G},      {"Larson", 40, G},
    {"Harper", 40, G},      {"Greene", 40, G},      {"Burke", 40, G},        {"Guzman", 40, H},
    {"Morrison", 40, G},    {"Munoz", 35, H},       {"Muñoz", 15, H},        {"O'Brien", 35, G},
    {"Lynch", 35, G},       {"Bishop", 35, G},      {"Salazar", 35, H},      {"Mendez", 35, H},
    {"Montgomery", 35, G},  {"Fuller", 35, G},      {"Soto", 35, H},         {"McCoy", 35, G},
    {"Chen", 35, C},        {"Wong", 35, C},        {"Schultz", 35, G},      {"Walsh", 35, G},
    {"Santos", 35, H},      {"Delgado", 35, H},     {"Valdez", 35, H},       {"Peña", 15, H},
    {"Pena", 25, H},        {"Douglas", 30, G},     {"Hopkins", 30, G},      {"Keller", 30, G},
    {"Guerrero", 30, H},    {"Alvarado", 30, H},    {"Ortega", 30, H},       {"Estrada", 30, H},
    {"Caldwell", 30, G},    {"Santiago", 30, H},    {"Chambers", 30, G},     {"Nuñez", 12, H},
    {"Nunez", 20, H},       {"Byrd", 30, G},        {"Becker", 30, G},       {"Maldonado", 30, H},
    {"Cohen", 30, G},       {"Jennings", 30, G},    {"Schwartz", 30, G},     {"Park", 30, K},
    {"Padilla", 30, H},     {"McCarthy", 30, G},    {"Zimmerman", 30, G},    {"Joseph", 30, G},
    {"Marquez", 30, H},     {"Espinoza", 30, H},    {"Cortez", 30, H},       {"Le", 30, V},
    {"Lê", 10, V},          {"Acosta", 30, H},      {"Luna", 30, H},         {"O'Connor", 25, G},
    {"Quinn", 25, G},       {"Navarro", 25, H},     {"Fitzgerald", 25, G},   {"Doyle", 25, G},
    {"McLaughlin", 25, G},  {"Rojas", 25, H},       {"Singh", 25, S},        {"Yang", 25, C},
    {"Figueroa", 25, H},    {"Molina", 25, H},      {"Campos", 25, H},       {"Avila", 25, H},
    {"Chang", 25, C},       {"Juarez", 25, H},      {"Gallagher", 25, G},    {"Duran", 25, H},
    {"Miranda", 25, H},     {"Wang", 25, C},        {"Carrillo", 25, H},     {"Mejia", 25, H},
    {"Ayala", 25, H},       {"Mueller", 20, G},     {"Müller", 3, G},        {"Li", 25, C},
    {"Pham", 25, V},        {"Phạm", 8, V},         {"Huynh", 20, V},        {"Huỳnh", 6, V},
    {"Vo", 12, V},          {"Võ", 4, V},           {"Dang", 10, V},         {"Đặng", 3, V},
    {"Bui", 10, V},         {"Bùi", 3, V},          {"Do", 10, V},           {"Đỗ", 3, V},
    {"Hồ", 3, V},           {"Duong", 6, V},        {"Dương", 2, V},         {"Lam", 25, V},
    {"Liu", 25, C},         {"Huang", 25, C},       {"Wu", 25, C},           {"Lin", 25, C},
    {"Zhang", 15, C},       {"Zhao", 8, C},         {"Zhou", 8, C},          {"Xu", 8, C},
    {"Ho", 25, C},          {"Yu", 25, C},          {"Choi", 12, K},         {"Jung", 8, K},
    {"Kang", 8, K},         {"Cho", 8, K},          {"Yoon", 5, K},          {"Han", 6, K},
    {"Moon", 10, K},        {"Chung", 10, K},       {"Shah", 25, S},         {"Kumar", 10, S},
    {"Sharma", 8, S},       {"Reddy", 6, S},        {"Gupta", 6, S},         {"Desai", 4, S},
    {"Iyer", 3, S},         {"Chaudhry", 3, S},     {"Khan", 25, A},         {"Ali", 25, A},
    {"Ahmed", 15, A},       {"Mohamed", 10, A},     {"Hassan", 8, A},        {"Ibrahim", 6, A},
    {"Abdullah", 5, A},     {"Al-Sayed", 3, A},     {"El-Amin", 3, A},       {"Tesfaye", 3, F},
    {"Bekele", 3, F},       {"Haile", 3, F},        {"Okafor", 3, F},        {"Mensah", 3, F},
    {"Diallo", 3, F},       {"Abdi", 4, F},         {"Osei", 2, F},          {"Adeyemi", 2, F},
    {"N'Diaye", 1, F},      {"O'Neill", 20, G},     {"O'Sullivan", 12, G},   {"O'Donnell", 20, G},
    {"O'Neal", 25, G},      {"MacDonald", 10, G},   {"D'Angelo", 5, G},      {"DiMaggio", 3, G},
    {"Russo", 25, G},       {"Kowalski", 5, G},     {"Nowak", 4, G},         {"Van Buren", 3, G},
    {"Van der Berg", 2, G}, {"St. John", 3, G},     {"Smith-Jones", 3, G},   {"de la Cruz", 10, H},
    {"Dela Cruz", 6, H},    {"García-López", 5, H}, {"Martínez-Ruiz", 3, H}, {"Aquino", 5, H},
    {"Bautista", 25, H},    {"Villanueva", 25, H},  {"Jefferson", 25, G},
};
// clang-format on

struct NicknameEntry {
  std::string_view formal;
  std::array<std::string_view, 4> nicknames;
  size_t count;
};

constexpr NicknameEntry kNicknames[] = {
    {"William", {"Bill", "Will", "Billy", "Liam"}, 4},
    {"Elizabeth", {"Liz", "Beth", "Betsy", "Lizzie"}, 4},
    {"Robert", {"Bob", "Rob", "Bobby", "Robbie"}, 4},
    {"Katherine", {"Kate", "Katie", "Kathy"}, 3},
    {"Kathryn", {"Kate", "Katie", "Kathy"}, 3},
    {"Catherine", {"Cathy", "Cate", "Kate"}, 3},
    {"Kathleen", {"Kathy", "Kate"}, 2},
    {"Margaret", {"Maggie", "Peggy", "Meg"}, 3},
    {"James", {"Jim", "Jimmy", "Jamie"}, 3},
    {"John", {"Jack", "Johnny"}, 2},
    {"Michael", {"Mike", "Mikey", "Mick"}, 3},
    {"Richard", {"Rick", "Dick", "Rich", "Richie"}, 4},
    {"Joseph", {"Joe", "Joey"}, 2},
    {"Thomas", {"Tom", "Tommy"}, 2},
    {"Charles", {"Charlie", "Chuck"}, 2},
    {"Christopher", {"Chris", "Topher"}, 2},
    {"Daniel", {"Dan", "Danny"}, 2},
    {"Matthew", {"Matt"}, 1},
    {"Anthony", {"Tony"}, 1},
    {"Donald", {"Don", "Donnie"}, 2},
    {"Steven", {"Steve"}, 1},
    {"Stephen", {"Steve"}, 1},
    {"Andrew", {"Andy", "Drew"}, 2},
    {"Joshua", {"Josh"}, 1},
    {"Kenneth", {"Ken", "Kenny"}, 2},
    {"Timothy", {"Tim", "Timmy"}, 2},
    {"Ronald", {"Ron", "Ronnie"}, 2},
    {"Edward", {"Ed", "Eddie", "Ted"}, 3},
    {"Jeffrey", {"Jeff"}, 1},
    {"Jacob", {"Jake"}, 1},
    {"Gregory", {"Greg"}, 1},
    {"Alexander", {"Alex", "Xander"}, 2},
    {"Benjamin", {"Ben", "Benny"}, 2},
    {"Samuel", {"Sam", "Sammy"}, 2},
    {"Nicholas", {"Nick", "Nicky"}, 2},
    {"Jonathan", {"Jon"}, 1},
    {"Patrick", {"Pat"}, 1},
    {"Raymond", {"Ray"}, 1},
    {"Gerald", {"Gerry", "Jerry"}, 2},
    {"Lawrence", {"Larry"}, 1},
    {"Zachary", {"Zach", "Zack"}, 2},
    {"Nathan", {"Nate"}, 1},
    {"Douglas", {"Doug"}, 1},
    {"Peter", {"Pete"}, 1},
    {"Walter", {"Walt"}, 1},
    {"Harold", {"Harry", "Hal"}, 2},
    {"Eugene", {"Gene"}, 1},
    {"Philip", {"Phil"}, 1},
    {"Bradley", {"Brad"}, 1},
    {"Vincent", {"Vince"}, 1},
    {"Russell", {"Russ"}, 1},
    {"Jennifer", {"Jen", "Jenny"}, 2},
    {"Patricia", {"Pat", "Patty", "Trish"}, 3},
    {"Susan", {"Sue", "Susie"}, 2},
    {"Jessica", {"Jess", "Jessie"}, 2},
    {"Deborah", {"Debbie", "Deb"}, 2},
    {"Debra", {"Debbie", "Deb"}, 2},
    {"Rebecca", {"Becky", "Becca"}, 2},
    {"Pamela", {"Pam"}, 1},
    {"Samantha", {"Sam", "Sammie"}, 2},
    {"Christine", {"Chris", "Chrissy"}, 2},
    {"Christina", {"Tina", "Chris"}, 2},
    {"Victoria", {"Vicky", "Tori"}, 2},
    {"Jacqueline", {"Jackie"}, 1},
    {"Abigail", {"Abby"}, 1},
    {"Kimberly", {"Kim"}, 1},
    {"Stephanie", {"Steph"}, 1},
    {"Cynthia", {"Cindy"}, 1},
    {"Melissa", {"Missy", "Mel"}, 2},
    {"Amanda", {"Mandy"}, 1},
    {"Dorothy", {"Dot", "Dottie"}, 2},
    {"Barbara", {"Barb"}, 1},
    {"Theresa", {"Terri", "Tess"}, 2},
    {"Teresa", {"Terri"}, 1},
    {"Judith", {"Judy"}, 1},
    {"Alexis", {"Lexi"}, 1},
    {"Frances", {"Fran", "Frankie"}, 2},
    {"Madison", {"Maddie"}, 1},
    {"Nicole", {"Nikki"}, 1},
    {"Danielle", {"Dani"}, 1},
    {"Valerie", {"Val"}, 1},
    {"Allison", {"Ally"}, 1},
    {"Kristen", {"Kris"}, 1},
    {"Megan", {"Meg"}, 1},
    {"Natalie", {"Nat"}, 1},
    {"Isabella", {"Bella", "Izzy"}, 2},
    {"Olivia", {"Liv"}, 1},
    {"Sophia", {"Sophie"}, 1},
    {"Evelyn", {"Evie"}, 1},
    {"José", {"Pepe"}, 1},
    {"Francisco", {"Paco", "Pancho", "Frank"}, 3},
    {"Jesús", {"Chuy"}, 1},
    {"Guadalupe", {"Lupe"}, 1},
    {"Alejandro", {"Alex"}, 1},
    {"Eduardo", {"Eddie", "Lalo"}, 2},
    {"Roberto", {"Beto"}, 1},
    {"Enrique", {"Kike", "Henry"}, 2},
    {"Manuel", {"Manny"}, 1},
    {"Antonio", {"Tony", "Toño"}, 2},
    {"Ricardo", {"Ricky"}, 1},
    {"Dolores", {"Lola"}, 1},
    {"Josefina", {"Josie"}, 1},
    {"Mohammed", {"Mo"}, 1},
    {"Muhammad", {"Mo"}, 1},
    {"Ibrahim", {"Abe"}, 1},
};

constexpr auto kNicknameFormalNames = [] {
  std::array<std::string_view, std::size(kNicknames)> names{};
  for (size_t i = 0; i < names.size(); ++i) names[i] = kNicknames[i].formal;
  return names;
}();

}  // namespace

std::span<const NameEntry> FemaleGivenNames() { return kFemale; }
std::span<const NameEntry> MaleGivenNames() { return kMale; }
std::span<const NameEntry> Surnames() { return kSurnames; }

std::span<const std::string_view> NicknamesOf(std::string_view given_name) {
  for (const NicknameEntry& entry : kNicknames) {
    if (entry.formal == given_name) {
      return std::span<const std::string_view>(entry.nicknames.data(), entry.count);
    }
  }
  return {};
}

std::span<const std::string_view> NicknameFormalNames() { return kNicknameFormalNames; }

}  // namespace fedlink::datagen
