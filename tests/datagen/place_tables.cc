// Streets, Virginia localities with ZIP ranges and school divisions, and the
// higher-education, industry and wage tables used by the agency preset.
#include <array>

#include "tests/datagen/tables.h"

namespace fedlink::datagen {
namespace {

constexpr std::string_view kStreetNames[] = {
    "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Jefferson", "Madison",
    "Monroe", "Franklin", "Church", "Mill", "Park", "Broad", "High", "Market", "King",
    "Queen", "Prince", "Duke", "Spring", "Hill", "Lake", "River", "Forest", "Meadow",
    "Willow", "Walnut", "Chestnut", "Dogwood", "Magnolia", "Hickory", "Sycamore", "Laurel",
    "Holly", "Cherry", "Locust", "Poplar", "Birch", "Ridge", "Valley", "Sunset", "Highland",
    "Colonial", "Patrick Henry", "Shenandoah", "Blue Ridge", "Chesapeake", "Potomac",
    "James River", "Rappahannock", "Fairfax", "Loudoun", "Hampton", "Jackson", "Lincoln",
    "Wilson", "Adams", "Tyler", "Green", "Brook", "Fox Run", "Deer Run", "Quail Hollow",
    "Old Mill", "Georgetown", "St. Andrews", "Martin Luther King Jr", "Seven Pines",
    "Hunter's Ridge", "Wolf Trap", "Little River", "Riverside", "Lakeview",
};

constexpr StreetType kStreetTypes[] = {
    {"Street", "St", 30}, {"Avenue", "Ave", 15}, {"Road", "Rd", 20}, {"Drive", "Dr", 18},
    {"Lane", "Ln", 12},   {"Court", "Ct", 10},   {"Boulevard", "Blvd", 3}, {"Way", "Way", 4},
    {"Place", "Pl", 4},   {"Circle", "Cir", 5},  {"Parkway", "Pkwy", 2}, {"Pike", "Pike", 2},
    {"Highway", "Hwy", 2}, {"Terrace", "Ter", 3}, {"Trail", "Trl", 3},
};

constexpr Locality kLocalities[] = {
    {"Virginia Beach", "Virginia Beach City Public Schools", 23451, 23464, 450},
    {"Chesapeake", "Chesapeake Public Schools", 23320, 23328, 250},
    {"Norfolk", "Norfolk Public Schools", 23502, 23523, 240},
    {"Richmond", "Richmond Public Schools", 23219, 23236, 230},
    {"Newport News", "Newport News Public Schools", 23601, 23608, 185},
    {"Alexandria", "Alexandria City Public Schools", 22301, 22315, 160},
    {"Hampton", "Hampton City Schools", 23661, 23669, 135},
    {"Roanoke", "Roanoke City Public Schools", 24011, 24019, 100},
    {"Portsmouth", "Portsmouth Public Schools", 23701, 23709, 97},
    {"Suffolk", "Suffolk Public Schools", 23432, 23439, 95},
    {"Lynchburg", "Lynchburg City Schools", 24501, 24504, 80},
    {"Harrisonburg", "Harrisonburg City Public Schools", 22801, 22802, 52},
    {"Charlottesville", "Charlottesville City Schools", 22901, 22911, 47},
    {"Blacksburg", "Montgomery County Public Schools", 24060, 24063, 45},
    {"Christiansburg", "Montgomery County Public Schools", 24068, 24073, 22},
    {"Danville", "Danville Public Schools", 24540, 24543, 42},
    {"Manassas", "Manassas City Public Schools", 20108, 20113, 42},
    {"Leesburg", "Loudoun County Public Schools", 20175, 20177, 48},
    {"Ashburn", "Loudoun County Public Schools", 20146, 20149, 50},
    {"Sterling", "Loudoun County Public Schools", 20164, 20167, 30},
    {"Fairfax", "Fairfax County Public Schools", 22030, 22039, 60},
    {"Reston", "Fairfax County Public Schools", 20190, 20195, 60},
    {"Herndon", "Fairfax County Public Schools", 20170, 20171, 25},
    {"Springfield", "Fairfax County Public Schools", 22150, 22153, 35},
    {"Annandale", "Fairfax County Public Schools", 22003, 22003, 40},
    {"Centreville", "Fairfax County Public Schools", 20120, 20121, 70},
    {"McLean", "Fairfax County Public Schools", 22101, 22102, 50},
    {"Falls Church", "Falls Church City Public Schools", 22041, 22046, 15},
    {"Arlington", "Arlington Public Schools", 22201, 22213, 235},
    {"Woodbridge", "Prince William County Public Schools", 22191, 22193, 45},
    {"Dumfries", "Prince William County Public Schools", 22025, 22026, 15},
    {"Fredericksburg", "Fredericksburg City Public Schools", 22401, 22408, 28},
    {"Stafford", "Stafford County Public Schools", 22554, 22556, 40},
    {"Winchester", "Winchester Public Schools", 22601, 22604, 28},
    {"Williamsburg", "Williamsburg-James City County Public Schools", 23185, 23188, 15},
    {"Midlothian", "Chesterfield County Public Schools", 23112, 23114, 70},
    {"Chester", "Chesterfield County Public Schools", 23831, 23836, 25},
    {"Glen Allen", "Henrico County Public Schools", 23058, 23060, 40},
    {"Henrico", "Henrico County Public Schools", 23226, 23229, 60},
    {"Mechanicsville", "Hanover County Public Schools", 23111, 23116, 40},
    {"Petersburg", "Petersburg City Public Schools", 23803, 23806, 33},
    {"Colonial Heights", "Colonial Heights Public Schools", 23834, 23834, 18},
    {"Hopewell", "Hopewell City Public Schools", 23860, 23860, 23},
    {"Staunton", "Staunton City Schools", 24401, 24402, 25},
    {"Waynesboro", "Waynesboro Public Schools", 22980, 22980, 22},
    {"Salem", "Salem City Schools", 24153, 24153, 25},
    {"Bristol", "Bristol Virginia Public Schools", 24201, 24203, 17},
    {"Abingdon", "Washington County Public Schools", 24210, 24212, 8},
    {"Radford", "Radford City Public Schools", 24141, 24143, 16},
    {"Martinsville", "Martinsville City Public Schools", 24112, 24115, 13},
    {"Culpeper", "Culpeper County Public Schools", 22701, 22701, 20},
    {"Front Royal", "Warren County Public Schools", 22630, 22630, 15},
    {"Warrenton", "Fauquier County Public Schools", 20186, 20188, 10},
    {"South Boston", "Halifax County Public Schools", 24592, 24592, 8},
    {"Farmville", "Prince Edward County Public Schools", 23901, 23901, 8},
    {"Emporia", "Greensville County Public Schools", 23847, 23847, 5},
    {"Orange", "Orange County Public Schools", 22960, 22960, 5},
    {"Wise", "Wise County Public Schools", 24293, 24293, 3},
    {"Tappahannock", "Essex County Public Schools", 22560, 22560, 3},
    {"Onancock", "Accomack County Public Schools", 23417, 23417, 2},
};

constexpr Institution kInstitutions[] = {
    {"Northern Virginia Community College", 500},
    {"George Mason University", 390},
    {"Virginia Polytechnic Institute and State University", 370},
    {"Virginia Commonwealth University", 290},
    {"University of Virginia", 250},
    {"Old Dominion University", 240},
    {"James Madison University", 220},
    {"Tidewater Community College", 220},
    {"Liberty University", 150},
    {"J. Sargeant Reynolds Community College", 100},
    {"Radford University", 100},
    {"William & Mary", 90},
    {"Germanna Community College", 90},
    {"Virginia Western Community College", 70},
    {"Virginia Peninsula Community College", 70},
    {"Laurel Ridge Community College", 60},
    {"Norfolk State University", 60},
    {"Virginia State University", 50},
    {"Christopher Newport University", 50},
    {"Longwood University", 50},
    {"Piedmont Virginia Community College", 50},
    {"University of Mary Washington", 40},
    {"Hampton University", 40},
    {"University of Richmond", 40},
    {"Blue Ridge Community College", 40},
    {"Central Virginia Community College", 40},
    {"Shenandoah University", 40},
    {"Marymount University", 30},
    {"Virginia Military Institute", 20},
    {"Washington and Lee University", 20},
    {"Randolph-Macon College", 15},
    {"Virginia Union University", 15},
};

constexpr WeightedLabel kDegreeFields[] = {
    {"Business, Management, Marketing, and Related Support Services", 190},
    {"Health Professions and Related Programs", 120},
    {"Liberal Arts and Sciences, General Studies and Humanities", 120},
    {"Computer and Information Sciences and Support Services", 90},
    {"Engineering", 70},
    {"Biological and Biomedical Sciences", 70},
    {"Psychology", 60},
    {"Social Sciences", 60},
    {"Undeclared", 60},
    {"Education", 40},
    {"Visual and Performing Arts", 40},
    {"Communication, Journalism, and Related Programs", 40},
    {"Homeland Security, Law Enforcement, Firefighting and Related Protective Services", 30},
    {"Parks, Recreation, Leisure, Fitness, and Kinesiology", 30},
    {"Multi/Interdisciplinary Studies", 20},
    {"Mathematics and Statistics", 20},
    {"English Language and Literature/Letters", 20},
    {"Engineering/Engineering-Related Technologies/Technicians", 20},
    {"Physical Sciences", 10},
    {"Public Administration and Social Service Professions", 10},
};

constexpr NaicsSector kNaicsSectors[] = {
    {"11", "Agriculture, Forestry, Fishing and Hunting", 5, 5},
    {"21", "Mining, Quarrying, and Oil and Gas Extraction", 1, 2},
    {"22", "Utilities", 2, 5},
    {"23", "Construction", 50, 70},
    {"31-33", "Manufacturing", 40, 60},
    {"42", "Wholesale Trade", 15, 30},
    {"44-45", "Retail Trade", 200, 100},
    {"48-49", "Transportation and Warehousing", 50, 40},
    {"51", "Information", 15, 20},
    {"52", "Finance and Insurance", 30, 50},
    {"53", "Real Estate and Rental and Leasing", 10, 20},
    {"54", "Professional, Scientific, and Technical Services", 70, 120},
    {"55", "Management of Companies and Enterprises", 5, 20},
    {"56", "Administrative and Support and Waste Management and Remediation Services", 80, 70},
    {"61", "Educational Services", 50, 90},
    {"62", "Health Care and Social Assistance", 120, 150},
    {"71", "Arts, Entertainment, and Recreation", 40, 15},
    {"72", "Accommodation and Food Services", 220, 70},
    {"81", "Other Services (except Public Administration)", 30, 40},
    {"92", "Public Administration", 20, 70},
};

constexpr std::string_view kWageBands[] = {
    "$0-$2,499", "$2,500-$4,999", "$5,000-$9,999", "$10,000-$14,999", "$15,000-$24,999",
    "$25,000+",
};

}  // namespace

std::span<const std::string_view> StreetNames() { return kStreetNames; }
std::span<const StreetType> StreetTypes() { return kStreetTypes; }
std::span<const Locality> Localities() { return kLocalities; }
std::span<const Institution> Institutions() { return kInstitutions; }
std::span<const WeightedLabel> DegreeFields() { return kDegreeFields; }
std::span<const NaicsSector> NaicsSectors() { return kNaicsSectors; }
std::span<const std::string_view> WageBands() { return kWageBands; }

}  // namespace fedlink::datagen
