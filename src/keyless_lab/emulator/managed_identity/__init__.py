"""Managed identity endpoints, plain HTTP as on Azure: IMDS (`imds`) and App Service (`app_service`)."""
