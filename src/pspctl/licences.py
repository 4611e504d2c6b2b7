"""The terms the code and the data may be reused on, said once for every place that states them
(the data package, the audit pack, the 360Giving export; the README and data/README.md say the
same, and a test holds them to it).

The code is MIT-licensed (LICENSE). The data is transcribed from a Scottish Government
publication: Crown copyright, published under the Open Government Licence v3.0, which asks
whoever reuses it to acknowledge the source with the attribution statement below.
"""

from __future__ import annotations

#: The data's licence, as a Frictionless Data Package names it (an SPDX identifier).
DATA_LICENCE = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}
#: The statement the Open Government Licence asks reusers to include.
ATTRIBUTION = ("Contains public sector information licensed under the Open Government "
               "Licence v3.0.")
#: Whose the data is, and where it was published.
SOURCE = ("Source: Scottish Government, 'Strategic Public Social Partnership model: report' "
          "(Crown copyright), section 3.1 and Table 3.")
