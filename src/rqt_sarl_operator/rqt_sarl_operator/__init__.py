"""The sarl operator panel: an rqt plugin (and standalone window) to label episodes and hold the e-stop.

Modules: ``operator_model`` (ROS- and Qt-free rules and formatting), ``widget`` /
``candidate_table`` / ``style`` (the Qt view), ``operator_ros`` (topics and service),
``panel`` (the wiring), ``plugin`` (rqt), ``standalone`` (own window), ``screenshot``,
``qt`` (the Qt binding shim).
"""
