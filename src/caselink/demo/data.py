"""Word lists for synthetic people: names of the communities of England and Wales, regions with
their real postcode areas and towns, streets. Invented combinations only: no real person's record.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Community:
    key: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    # (nationality, weight) and (language, weight, share of those speakers who need an interpreter)
    nationalities: tuple[tuple[str, int], ...]
    languages: tuple[tuple[str, int, float], ...]
    ethnicities: tuple[tuple[str, int], ...]  # ONS 2021 ethnic group codes


def _t(text: str) -> tuple[str, ...]:
    """Words of TEXT; an underscore stands for a space inside one name (Ó Dónaill, ap Rhys)."""
    return tuple(word.replace("_", " ") for word in text.split())


COMMUNITIES: dict[str, Community] = {
    c.key: c
    for c in (
        Community(
            "english",
            _t(
                "Oliver Jack Harry George Thomas James William Daniel Joshua Samuel Joseph Matthew Ryan Liam "
                "Connor Callum Jordan Lewis Luke Adam Michael David Paul Mark Andrew Richard Stephen Peter "
                "Christopher Robert John Gary Darren Wayne Lee Craig Kevin Dean Shane Kyle Reece Tyler Alfie "
                "Charlie Archie Freddie Harvey Ethan Mason"
            ),
            _t(
                "Olivia Amelia Emily Jessica Sophie Chloe Lauren Charlotte Hannah Megan Rebecca Sarah Emma "
                "Laura Amy Gemma Kelly Stacey Donna Tracey Michelle Nicola Claire Joanne Lisa Karen Susan "
                "Elizabeth Margaret Jennifer Victoria Katie Bethany Abigail Ellie Grace Lily Mia Poppy Holly "
                "Jade Kirsty Leanne Danielle Natalie"
            ),
            _t(
                "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker "
                "White Roberts Green Hall Wood Jackson Clarke Hughes Edwards Turner Hill Moore Cooper Ward "
                "Harris Martin King Lee Baker Harrison Morris Clark Young Allen Mitchell Parker Bennett "
                "Shaw Cook Richardson Bailey Collins Marshall Atkinson Barker Holmes Dixon Fletcher Hewitt "
                "Pearson Booth Chapman Webb Rowe Fox Kirk Lowe Woodward Ashworth Whitehead Barnes Smith-Jones "
                "Heaton-Harris Sutcliffe Greenwood Butterworth"
            ),
            (("British", 97), ("Irish", 1), ("Australian", 1), ("South African", 1)),
            (("English", 100, 0.0),),
            (("W1", 96), ("M1", 2), ("M2", 1), ("W3", 1)),
        ),
        Community(
            "welsh",
            _t(
                "Dafydd Rhys Gareth Owain Gethin Iwan Huw Rhodri Aled Emyr Ieuan Llyr Cai Osian Tomos Ifan "
                "Dylan Geraint Gwyn Bryn Carwyn Elis Steffan Jac Morgan Rhydian"
            ),
            _t(
                "Cerys Ffion Seren Catrin Angharad Bethan Carys Nia Sian Rhian Eleri Mali Lowri Megan Gwen "
                "Elin Heledd Manon Mared Non Eirlys Glenys Menna Alys Efa"
            ),
            _t(
                "Jones Williams Davies Evans Thomas Roberts Lewis Hughes Morgan Griffiths Owen Price Jenkins "
                "Rees Lloyd Phillips Parry Pritchard Bowen Powell Howells Llewellyn Pugh Vaughan Prosser "
                "Watkins Probert Gwilliam Lloyd-Williams ap_Rhys Bevan"
            ),
            (("British", 99), ("Irish", 1)),
            (("English", 75, 0.0), ("Welsh", 25, 0.02)),
            (("W1", 98), ("M1", 2)),
        ),
        Community(
            "scottish",
            _t(
                "Alistair Callum Fraser Angus Hamish Euan Ewan Ross Craig Duncan Gregor Lachlan Murray Iain "
                "Kenneth Graeme Stuart Douglas Calum Ruaridh Finlay Jamie Scott"
            ),
            _t(
                "Isla Eilidh Morag Kirsty Fiona Mhairi Catriona Ailsa Shona Iona Rhona Skye Kirsten Lorna "
                "Heather Ishbel Elspeth Shona Marion Flora"
            ),
            _t(
                "MacDonald Campbell Stewart Robertson Murray MacLeod Anderson Reid Ross Paterson Fraser "
                "Mackenzie McKay Buchanan Kerr Grant Sinclair Cameron Gillespie Munro Ferguson McGregor "
                "McIntosh Drummond Lindsay Crawford"
            ),
            (("British", 99), ("Irish", 1)),
            (("English", 100, 0.0),),
            (("W1", 99), ("M9", 1)),
        ),
        Community(
            "irish",
            _t(
                "Sean Seán Patrick Ciaran Declan Eoin Conor Padraig Cormac Niall Ronan Darragh Cathal Fionn "
                "Oisin Eamon Liam Kieran Brendan Dermot Colm Tadhg Michael Seamus"
            ),
            _t(
                "Siobhan Siobhán Aoife Niamh Ciara Roisin Saoirse Aisling Caoimhe Orla Sinead Grainne Maeve Eimear "
                "Clodagh Deirdre Bridget Mairead Nuala Aine Una"
            ),
            _t(
                "Murphy Kelly O'Brien O'Sullivan Walsh O'Connor McCarthy Byrne Ryan O'Neill Doyle Gallagher "
                "Kennedy Lynch Quinn Brennan Flanagan Fitzgerald McLaughlin Donnelly Doherty Maguire "
                "O'Reilly Nolan Kavanagh McGuinness Ó_Dónaill"
            ),
            (("Irish", 55), ("British", 45)),
            (("English", 98, 0.0), ("Irish", 2, 0.0)),
            (("W2", 85), ("W1", 10), ("W3", 5)),
        ),
        Community(
            "south_asian",
            _t(
                "Mohammed Muhammad Ali Hassan Imran Asif Tariq Zain Bilal Usman Hamza Adnan Faisal Rizwan "
                "Arjun Rohan Vikram Sanjay Rajesh Amit Harpreet Gurpreet Jaspreet Manjit Sukhdev Ravi "
                "Deepak Aryan Kabir Abdul Shahid Rahul Nikhil Jamal Amir"
            ),
            _t(
                "Aisha Fatima Ayesha Zainab Maryam Amina Nadia Sana Sadia Saima Shazia Nusrat Priya Anjali "
                "Neha Pooja Sunita Kavita Simran Harjit Manpreet Jasleen Rupinder Anika Divya Shabana "
                "Ruksana Farzana Hina Yasmin Noor"
            ),
            _t(
                "Khan Ahmed Hussain Ali Begum Rahman Iqbal Shah Akhtar Mahmood Chaudhry Malik Butt Aslam "
                "Patel Singh Kaur Sharma Gupta Kumar Shah Mistry Joshi Desai Mehta Sandhu Gill Sidhu Dhillon "
                "Bains Uddin Miah Islam Choudhury Hossain Rashid Qureshi"
            ),
            (("British", 82), ("Pakistani", 7), ("Indian", 7), ("Bangladeshi", 4)),
            (("English", 78, 0.0), ("Urdu", 8, 0.5), ("Punjabi", 7, 0.5), ("Bengali", 5, 0.6), ("Gujarati", 2, 0.5)),
            (("A2", 40), ("A1", 37), ("A3", 18), ("M3", 3), ("A9", 2)),
        ),
        Community(
            "eastern_european",
            _t(
                "Piotr Krzysztof Tomasz Pawel Marcin Michal Jakub Kamil Lukasz Mateusz Andrzej Grzegorz "
                "Adrian Bartosz Dawid Ionut Andrei Mihai Florin Bogdan Vasile Marius Darius Tomas Mindaugas "
                "Jonas Aleksandr Dmitri Jan Petr Stefan"
            ),
            _t(
                "Agnieszka Katarzyna Anna Magdalena Joanna Monika Aleksandra Justyna Ewa Malgorzata Natalia "
                "Paulina Ioana Elena Andreea Maria Alina Cristina Ruta Egle Jurgita Olga Irina Kristina "
                "Zuzana Lucie"
            ),
            _t(
                "Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak "
                "Dabrowski Kozlowski Jankowski Mazur Krawczyk Popescu Ionescu Popa Dumitru Stan Stoica "
                "Kazlauskas Jankauskas Petrauskas Horvath Novak Svoboda Ivanov Petrov Wałęsa Łukaszewski "
                "Żak Krzyżanowski"
            ),
            (("Polish", 45), ("Romanian", 25), ("Lithuanian", 12), ("British", 10), ("Slovak", 4), ("Czech", 4)),
            (
                ("English", 40, 0.0),
                ("Polish", 30, 0.35),
                ("Romanian", 18, 0.4),
                ("Lithuanian", 8, 0.4),
                ("Russian", 4, 0.4),
            ),
            (("W9", 90), ("W4", 6), ("W1", 4)),
        ),
        Community(
            "caribbean",
            _t(
                "Andre Marcus Tyrone Jermaine Leon Delroy Winston Courtney Dwayne Errol Clive Desmond Nathan "
                "Kemar Shaquille Tyrese Kareem Devon Everton Lloyd Kwame Jerome Marlon Trevor"
            ),
            _t(
                "Keisha Shanice Tanisha Marcia Beverley Sharon Jacqueline Paulette Janice Chantelle Shantelle "
                "Kayla Tiana Jada Nia Monique Simone Latoya Yvonne Claudette Marlene"
            ),
            _t(
                "Campbell Brown Williams Thomas Reid Henry Grant Francis Wright Clarke Lewis Morgan Stewart "
                "Gordon Bailey Douglas Spencer Samuels Barrett Blake McKenzie Powell Thompson Gayle Dacres "
                "Edwards Forbes Richards"
            ),
            (("British", 88), ("Jamaican", 10), ("Trinidadian", 2)),
            (("English", 100, 0.0),),
            (("B1", 80), ("M1", 18), ("B9", 2)),
        ),
        Community(
            "west_african",
            _t(
                "Oluwaseun Chinedu Emeka Tunde Femi Kwabena Kofi Kwame Yaw Obinna Chukwuemeka Ayodele "
                "Babatunde Olumide Adebayo Ikenna Nnamdi Segun Kayode Samuel Daniel Emmanuel David Joseph"
            ),
            _t(
                "Adaeze Chiamaka Ngozi Folake Funmilayo Abena Akosua Ama Efua Nneka Oluwakemi Temitope "
                "Yetunde Bukola Chioma Ifeoma Blessing Grace Precious Esther Comfort Mercy"
            ),
            _t(
                "Okafor Adeyemi Okonkwo Mensah Boateng Owusu Asante Oyelaran Adebayo Ogunleye Eze Nwosu "
                "Obi Okeke Balogun Afolabi Osei Appiah Danso Agyeman Oladipo Adewale Akinola Ibrahim Bello"
            ),
            (("British", 60), ("Nigerian", 28), ("Ghanaian", 12)),
            (("English", 90, 0.0), ("Yoruba", 5, 0.3), ("Twi", 3, 0.3), ("Igbo", 2, 0.3)),
            (("B2", 92), ("M2", 8)),
        ),
        Community(
            "somali",
            _t("Abdi Abdullahi Mohamed Ahmed Hassan Omar Yusuf Ismail Abdirahman Abdikarim Farah Mahad Liban Guled"),
            _t("Hodan Fadumo Khadija Hibo Amran Sahra Ayan Nasra Sagal Ifrah Ubah Deeqa Hamdi Idil Muna"),
            _t("Mohamed Ahmed Ali Hassan Abdi Farah Hussein Omar Warsame Jama Nur Osman Aden Yusuf Egal Duale"),
            (("British", 55), ("Somali", 40), ("Dutch", 5)),
            (("English", 60, 0.0), ("Somali", 40, 0.55)),
            (("B2", 95), ("B9", 5)),
        ),
        Community(
            "chinese",
            _t("Wei Jun Hao Ming Jian Lei Tao Yong Chen Kai Zhi Kwok Wing Chi Ho Ka"),
            _t("Mei Li Xiu Ying Hui Jing Yan Fang Ling Xin Siu Wai Man Yee Pui"),
            _t("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Chan Wong Cheung Lau Leung Ng Lam Tang Ho Lin"),
            (("British", 55), ("Chinese", 35), ("Hong Kong BN(O)", 10)),
            (("English", 55, 0.0), ("Mandarin", 25, 0.6), ("Cantonese", 20, 0.55)),
            (("A4", 95), ("M9", 5)),
        ),
        Community(
            "middle_eastern",
            _t("Ahmad Omar Karim Khalid Youssef Mustafa Hamid Samir Tariq Nabil Rami Ziad Walid Reza Dariush"),
            _t("Layla Noor Rania Hana Yasmin Mariam Salma Dina Leila Shirin Nasrin Samira Huda"),
            _t("Haddad Khalil Mansour Saleh Nasser Haddadi Karimi Hosseini Rahimi Abbas Hamdan Aziz Darwish"),
            (("British", 45), ("Iraqi", 15), ("Iranian", 15), ("Syrian", 10), ("Afghan", 10), ("Turkish", 5)),
            (("English", 55, 0.0), ("Arabic", 25, 0.6), ("Farsi", 12, 0.6), ("Kurdish", 8, 0.6)),
            (("O2", 55), ("A9", 35), ("O9", 10)),
        ),
    )
}


@dataclass(frozen=True)
class Region:
    name: str
    weight: int  # roughly the region's share of the population of England and Wales, per mille
    # (postcode area, town, county, highest district number in use)
    areas: tuple[tuple[str, str, str, int], ...]
    # community weights where they differ from the national default
    communities: tuple[tuple[str, int], ...]


_NATIONAL_MIX = (
    ("english", 650),
    ("welsh", 10),
    ("scottish", 30),
    ("irish", 40),
    ("south_asian", 90),
    ("eastern_european", 60),
    ("caribbean", 35),
    ("west_african", 40),
    ("somali", 12),
    ("chinese", 15),
    ("middle_eastern", 18),
)


def _mix(**overrides: int) -> tuple[tuple[str, int], ...]:
    return tuple((key, overrides.get(key, weight)) for key, weight in _NATIONAL_MIX)


REGIONS: tuple[Region, ...] = (
    Region(
        "London",
        150,
        (
            ("E", "London", "Greater London", 18),
            ("N", "London", "Greater London", 22),
            ("NW", "London", "Greater London", 11),
            ("SE", "London", "Greater London", 28),
            ("SW", "London", "Greater London", 20),
            ("W", "London", "Greater London", 14),
            ("CR", "Croydon", "Greater London", 9),
            ("BR", "Bromley", "Greater London", 8),
            ("HA", "Harrow", "Greater London", 9),
            ("IG", "Ilford", "Greater London", 11),
            ("RM", "Romford", "Greater London", 20),
            ("UB", "Southall", "Greater London", 11),
            ("EN", "Enfield", "Greater London", 11),
        ),
        _mix(
            english=380,
            south_asian=170,
            caribbean=110,
            west_african=120,
            somali=40,
            eastern_european=90,
            chinese=30,
            middle_eastern=40,
            irish=50,
        ),
    ),
    Region(
        "South East",
        155,
        (
            ("BN", "Brighton", "East Sussex", 45),
            ("GU", "Guildford", "Surrey", 35),
            ("ME", "Maidstone", "Kent", 20),
            ("CT", "Canterbury", "Kent", 21),
            ("OX", "Oxford", "Oxfordshire", 49),
            ("RG", "Reading", "Berkshire", 45),
            ("SL", "Slough", "Berkshire", 9),
            ("MK", "Milton Keynes", "Buckinghamshire", 46),
            ("PO", "Portsmouth", "Hampshire", 41),
            ("SO", "Southampton", "Hampshire", 53),
        ),
        _mix(english=720, south_asian=80),
    ),
    Region(
        "East of England",
        105,
        (
            ("CB", "Cambridge", "Cambridgeshire", 25),
            ("IP", "Ipswich", "Suffolk", 33),
            ("NR", "Norwich", "Norfolk", 35),
            ("CO", "Colchester", "Essex", 16),
            ("CM", "Chelmsford", "Essex", 24),
            ("SS", "Southend-on-Sea", "Essex", 17),
            ("LU", "Luton", "Bedfordshire", 7),
            ("PE", "Peterborough", "Cambridgeshire", 38),
        ),
        _mix(english=720, eastern_european=90),
    ),
    Region(
        "South West",
        95,
        (
            ("BS", "Bristol", "Bristol", 41),
            ("BA", "Bath", "Somerset", 22),
            ("EX", "Exeter", "Devon", 39),
            ("PL", "Plymouth", "Devon", 35),
            ("TR", "Truro", "Cornwall", 27),
            ("GL", "Gloucester", "Gloucestershire", 56),
            ("SN", "Swindon", "Wiltshire", 26),
            ("BH", "Bournemouth", "Dorset", 31),
        ),
        _mix(english=830, south_asian=30, caribbean=20),
    ),
    Region(
        "West Midlands",
        100,
        (
            ("B", "Birmingham", "West Midlands", 98),
            ("CV", "Coventry", "West Midlands", 47),
            ("WV", "Wolverhampton", "West Midlands", 16),
            ("WS", "Walsall", "West Midlands", 15),
            ("DY", "Dudley", "West Midlands", 14),
            ("ST", "Stoke-on-Trent", "Staffordshire", 21),
            ("TF", "Telford", "Shropshire", 13),
            ("WR", "Worcester", "Worcestershire", 15),
        ),
        _mix(english=560, south_asian=200, caribbean=60),
    ),
    Region(
        "East Midlands",
        80,
        (
            ("NG", "Nottingham", "Nottinghamshire", 34),
            ("LE", "Leicester", "Leicestershire", 67),
            ("DE", "Derby", "Derbyshire", 75),
            ("NN", "Northampton", "Northamptonshire", 29),
            ("LN", "Lincoln", "Lincolnshire", 13),
        ),
        _mix(english=650, south_asian=160, eastern_european=80),
    ),
    Region(
        "Yorkshire and the Humber",
        90,
        (
            ("LS", "Leeds", "West Yorkshire", 29),
            ("BD", "Bradford", "West Yorkshire", 24),
            ("HD", "Huddersfield", "West Yorkshire", 9),
            ("WF", "Wakefield", "West Yorkshire", 17),
            ("S", "Sheffield", "South Yorkshire", 81),
            ("DN", "Doncaster", "South Yorkshire", 41),
            ("HU", "Hull", "East Riding of Yorkshire", 20),
            ("YO", "York", "North Yorkshire", 62),
        ),
        _mix(english=680, south_asian=170),
    ),
    Region(
        "North West",
        120,
        (
            ("M", "Manchester", "Greater Manchester", 90),
            ("L", "Liverpool", "Merseyside", 40),
            ("BL", "Bolton", "Greater Manchester", 9),
            ("OL", "Oldham", "Greater Manchester", 16),
            ("WN", "Wigan", "Greater Manchester", 8),
            ("WA", "Warrington", "Cheshire", 16),
            ("PR", "Preston", "Lancashire", 26),
            ("BB", "Blackburn", "Lancashire", 18),
            ("FY", "Blackpool", "Lancashire", 8),
            ("CA", "Carlisle", "Cumbria", 28),
            ("CH", "Chester", "Cheshire", 66),
        ),
        _mix(english=680, irish=60, south_asian=120),
    ),
    Region(
        "North East",
        45,
        (
            ("NE", "Newcastle upon Tyne", "Tyne and Wear", 71),
            ("SR", "Sunderland", "Tyne and Wear", 8),
            ("DH", "Durham", "County Durham", 9),
            ("DL", "Darlington", "County Durham", 17),
            ("TS", "Middlesbrough", "North Yorkshire", 29),
        ),
        _mix(english=850, scottish=40, south_asian=40),
    ),
    Region(
        "Wales",
        50,
        (
            ("CF", "Cardiff", "South Glamorgan", 83),
            ("SA", "Swansea", "West Glamorgan", 73),
            ("NP", "Newport", "Gwent", 44),
            ("LL", "Bangor", "Gwynedd", 78),
            ("LD", "Llandrindod Wells", "Powys", 8),
        ),
        _mix(english=380, welsh=480, south_asian=40, eastern_european=40),
    ),
)

STREET_NAMES = _t(
    "High Station Church Victoria Park Mill School Albert Queen King Manor Green New Main Bridge "
    "Chapel Grove Springfield Oak Elm Beech Ash Willow Cedar Kingsway Windsor York Richmond Clarence "
    "Stanley Alexandra Princess Nelson Wellington Cromwell Marlborough Hamilton Gladstone Belmont "
    "Highfield Fairfield Woodland Meadow Orchard Brook Hill Castle Abbey Priory Market Bank Union "
    "Canal Water Dale Moor Heath Ridge Valley Cross Forest Holly Hawthorn Rose Lime Poplar Sycamore "
    "Heol Ffordd Stryd Lon"
)
STREET_KINDS = _t("Road Street Lane Avenue Close Drive Way Crescent Gardens Terrace Place Court View Walk Rise")
# Inward-code letters: the Royal Mail never uses C, I, K, M, O or V there.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
BLOCK_NAMES = _t("Tower House Court Heights Mansions Lodge")

NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "Richard": "Dick",
    "James": "Jim",
    "Michael": "Mick",
    "Thomas": "Tom",
    "Daniel": "Danny",
    "Christopher": "Chris",
    "Stephen": "Steve",
    "Joseph": "Joe",
    "Anthony": "Tony",
    "Margaret": "Maggie",
    "Elizabeth": "Liz",
    "Jennifer": "Jenny",
    "Rebecca": "Becky",
    "Victoria": "Vicky",
    "Samuel": "Sam",
    "Matthew": "Matt",
    "Mohammed": "Mo",
    "Muhammad": "Mo",
    "Aleksandr": "Sasha",
    "Krzysztof": "Chris",
    "Piotr": "Peter",
    "Oluwaseun": "Seun",
    "Chukwuemeka": "Emeka",
    "Babatunde": "Tunde",
}

# Police force codes used in the second and third characters of ASNs (CJS force codes).
FORCE_CODES = _t(
    "01 03 04 05 06 07 10 11 12 13 14 16 17 20 21 22 23 30 31 32 33 34 35 36 37 40 41 42 43 44 45 46 47 "
    "48 50 52 53 54 55 60 61 62 63"
)

GENDER_IDENTITIES = ("Trans woman", "Trans man", "Non-binary")
