import os

from django.http import HttpResponse
from django.urls import path


def home(request):
    return HttpResponse("<!doctype html><title>Bare</title><h1>Hello</h1>")


def item(request):
    """The signed-in floor: one DynamoDB GetItem through boto3 (what reading the visitor's
    web session costs at the least), its client made on this first request as an app's is."""
    import boto3

    found = boto3.client("dynamodb").get_item(
        TableName=os.environ["DYNAMODB_TABLE"],
        Key={"PK": {"S": os.environ["BENCH_ITEM_PK"]}, "SK": {"S": os.environ["BENCH_ITEM_SK"]}},
    )
    return HttpResponse(f"<!doctype html><title>Bare</title><h1>{len(found.get('Item', {}))} attributes</h1>")


urlpatterns = [path("", home), path("item/", item)]
