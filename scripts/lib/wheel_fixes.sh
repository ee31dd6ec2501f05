# Sourced by scripts/bootstrap.sh and scripts/upstream/interbotix.sh: fixes the ROS 2 wheels need after install.

# The wheels' exported CMake targets name the include directories of the machine they were built on; point
# them at this interpreter's headers and this numpy's headers instead. Needs VENV.
fix_exported_include_paths() {
  local py_include np_include
  py_include=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  np_include=$("$VENV/bin/python" -c 'import numpy; print(numpy.get_include())')
  { grep -rlZ --include='*.cmake' '/opt/python/cp311-cp311' "$VENV/share" 2>/dev/null || true; } \
    | xargs -0 -r sed -i \
      -e "s#/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include#${np_include}#g" \
      -e "s#/opt/python/cp311-cp311/include/python3.11#${py_include}#g"
}
