from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from campaigns_site.table import TableModel


class WebSession(TableModel, discriminator="WebSession"):
    data = UnicodeAttribute()
    expires = TTLAttribute(attr_name="ttl")
